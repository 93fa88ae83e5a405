import { heldByBreakerText, type ResetWords } from './breakerRecord.ts';
import type { HeldBy } from './views.ts';

/**
 * What holds back the jobs an action sent to pending, in the words the CLI and the console both show, one
 * clause each: what holds them, and what releases it (a breaker by `reset`, the interface's words). Empty
 * when nothing does.
 */
export function heldByTexts(held: HeldBy, jobs: number, reset: ResetWords): string[] {
  const wait = jobs === 1 ? 'it waits' : 'they wait';
  return [...(held.held_by_breaker ?? []).map((breaker) => heldByBreakerText(breaker, reset)), ...(held.held_by_control ?? []).map((reason) => `${wait} while ${reason}`)];
}

/** heldByTexts as sentences to follow a notice's own, each after a space; empty when nothing holds them. */
export function heldBySentences(held: HeldBy, jobs: number, reset: ResetWords): string {
  return heldByTexts(held, jobs, reset)
    .map((text) => ` ${text.charAt(0).toUpperCase()}${text.slice(1)}.`)
    .join('');
}
