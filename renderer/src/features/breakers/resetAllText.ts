import type { BreakerMode } from '../../../../shared/domain.ts';
import { countText } from '../../../../shared/countText.ts';

const breakers = (n: number) => `${countText(n)} circuit breaker${n === 1 ? '' : 's'}`;

/** The Reset all dialog's title: the breakers it will change, those already closed with nothing to clear left out. */
export function resetAllTitle(clears: number): string {
  return `Reset ${breakers(clears)}`;
}

/** What Reset all did, in the console's notice: the breakers it reset, and those it left alone (already closed, nothing to clear). */
export function resetAllText(reset: number, untouched: number): string {
  const left = untouched === 0 ? '' : ` ${breakers(untouched)} already closed with nothing to clear.`;
  if (reset === 0) return `Nothing to reset: ${untouched === 1 ? 'the only breaker is' : `all ${countText(untouched)} breakers are`} already closed with nothing to clear.`;
  return `Reset ${breakers(reset)}: automatic and closed.${left}`;
}

/** Each mode every breaker may be set to at once, in the console's words: the dialog's and its notice's. */
export const SET_ALL: Record<BreakerMode, { menu: string; title: (n: number) => string; button: string; does: string; done: (n: number) => string; already: string }> = {
  force_open: {
    menu: 'Force all open…',
    title: (n) => `Force ${breakers(n)} open`,
    button: 'Force open',
    does: "No job of their services is dispatched: their jobs wait, they do not fail, until the breakers are set back to automatic.",
    done: (n) => `Forced ${breakers(n)} open.`,
    already: 'already forced open',
  },
  force_closed: {
    menu: 'Force all closed…',
    title: (n) => `Force ${breakers(n)} closed`,
    button: 'Force closed',
    does: 'Failures no longer trip them: their services are called whatever they answer, until the breakers are set back to automatic.',
    done: (n) => `Forced ${breakers(n)} closed.`,
    already: 'already forced closed',
  },
  auto: {
    menu: 'All automatic…',
    title: (n) => `Return ${breakers(n)} to automatic`,
    button: 'Return to automatic',
    does: 'Each breaker decides again from its failures; one that tripped before it was forced may still hold its jobs.',
    done: (n) => `Returned ${breakers(n)} to automatic.`,
    already: 'already automatic',
  },
};

/** What setting every breaker to a mode did: those it changed, and those it left alone, already so (keeping who set them and why). */
export function setAllText(mode: BreakerMode, changed: number, untouched: number): string {
  const words = SET_ALL[mode];
  const left = untouched === 0 ? '' : ` ${breakers(untouched)} ${words.already}: left as ${untouched === 1 ? 'it was' : 'they were'}.`;
  if (changed === 0) return `Nothing changed: ${untouched === 1 ? 'the only breaker is' : `all ${countText(untouched)} breakers are`} ${words.already}.`;
  return `${words.done(changed)}${left}`;
}
