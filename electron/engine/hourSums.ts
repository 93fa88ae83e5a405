import type { Store } from '../store/store.ts';

/**
 * How long after an hour ends its sum waits: a settle's minute is taken when its transaction starts, so a
 * settle under way at the hour's end may still land in it. The step's own look back (RESUM_HOURS in
 * store/rollupHours.ts) catches any later than this.
 */
export const HOUR_SETTLED_MS = 5 * 60_000;

/** Hours a step sums: a month's backlog of a large store at about 20 ms of the store's time a step. */
const STEP_HOURS = 12;

const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Sums the rollups' whole hours that ended by `now` less HOUR_SETTLED_MS and are not summed yet, step by
 * step, until none is left or `budgetMs` has passed (the next round carries on); the hours summed.
 */
export async function sumRollupHours(store: Store, now: Date, budgetMs: number): Promise<number> {
  const started = Date.now();
  const through = new Date(now.getTime() - HOUR_SETTLED_MS);
  let hours = 0;
  for (;;) {
    const step = await store.sumRollupHours(through, STEP_HOURS);
    hours += step.hours;
    if (step.done || Date.now() - started >= budgetMs) return hours;
    await breathe();
  }
}
