import { EXECUTION_TYPES } from '../../shared/domain.ts';
import type { LatencyByType, ThroughputBucket } from '../../shared/domain.ts';
import { percentileOf } from '../../shared/latencyBuckets.ts';

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

/**
 * Latency per execution type from the per-bucket counts of a window (migration 0005 on SQLite, 0008 on
 * PostgreSQL): every type appears, one without completions with count 0 and no percentiles.
 */
export function latencyFromBuckets(rows: Array<{ execution_type: string; bucket: number; n: number }>): LatencyByType[] {
  const byType = new Map<string, Map<number, number>>();
  for (const row of rows) {
    const counts = byType.get(row.execution_type) ?? new Map<number, number>();
    counts.set(row.bucket, (counts.get(row.bucket) ?? 0) + Number(row.n));
    byType.set(row.execution_type, counts);
  }
  const ms = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
  return EXECUTION_TYPES.map((type) => {
    const counts = byType.get(type) ?? new Map<number, number>();
    let count = 0;
    for (const n of counts.values()) count += n;
    return { execution_type: type, count, p50_ms: ms(percentileOf(counts, 0.5)), p95_ms: ms(percentileOf(counts, 0.95)) };
  });
}
