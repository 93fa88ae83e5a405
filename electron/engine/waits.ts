import { StoreError } from '../store/errors.ts';

/**
 * The store's answer, or an error naming what it was doing once `ms` have passed without one. The error says
 * the store is unavailable, as the store's own limit on waiting for an answer does: a worker that hears
 * nothing from its store has lost it (StoreContact), whichever limit ran out first.
 */
export function answerWithin<T>(answer: Promise<T>, ms: number, doing: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    const problem = `the store did not answer within ${Math.round(ms)} ms while ${doing}`;
    timer = setTimeout(() => reject(new StoreError('unavailable', problem, 'check the network to it, or what keeps it busy', { transient: true })), ms);
    timer.unref();
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

/** Only ever a fallback bound on a wait, so it never keeps a process alive by itself. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}
