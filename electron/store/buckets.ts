import type { ThroughputBucket } from '../../shared/domain.ts';

const MAX_BUCKETS = 10_000;

/**
 * Turns the sparse rows of a GROUP BY into a dense series from the bucket holding `since` up to the
 * bucket holding `now`, so a chart shows quiet minutes as zeros instead of skipping them.
 */
export function fillBuckets(
  rows: Array<{ bucket: number; completed: number; failed: number }>,
  since: Date,
  now: Date,
  bucketSeconds: number,
): ThroughputBucket[] {
  const step = Math.max(1, Math.trunc(bucketSeconds));
  const last = Math.floor(now.getTime() / 1000 / step) * step;
  // A window far wider than its buckets (a year of seconds) keeps only its latest MAX_BUCKETS.
  const first = Math.max(Math.floor(since.getTime() / 1000 / step) * step, last - (MAX_BUCKETS - 1) * step);
  const byBucket = new Map(rows.map((row) => [row.bucket, row]));
  const out: ThroughputBucket[] = [];
  for (let at = first; at <= last; at += step) {
    const row = byBucket.get(at);
    out.push({ at: new Date(at * 1000).toISOString(), completed: row?.completed ?? 0, failed: row?.failed ?? 0 });
  }
  return out;
}
