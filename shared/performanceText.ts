import type { PerformanceFigures } from './views.ts';

/**
 * How `opsdeck performance` and the console's Performance page write the same figures, so both show the
 * same numbers and say the same about what they count. `none` is each surface's mark for no value.
 */

/** What the percentiles are of: the rollups keep a duration for each completion, none for a failure. */
export const PERCENTILES_NOTE = 'percentiles (p50, p95, p99) are durations of completed jobs only (failed attempts keep none), to within about 19%';

/** What the retries count: attempts, so a job retried twice counts twice, and it is not a share of the jobs. */
export const RETRIES_NOTE = 'retries are failed attempts that were tried again, not jobs: a job retried twice counts twice';

/** 83.3%: one place, as a rate of completions is read at a glance. */
export function successText(rate: number | null, none: string): string {
  return rate === null ? none : `${(rate * 100).toFixed(1)}%`;
}

/** Two places, as the API rounds them; a trickle that rounds to nothing is still not none. */
export function perMinuteText(f: PerformanceFigures): string {
  return f.per_minute === 0 && f.completed + f.failed > 0 ? '<0.01' : f.per_minute.toFixed(2);
}
