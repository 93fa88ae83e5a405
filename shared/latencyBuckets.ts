/**
 * Durations are kept as counts per bucket, not one by one: a minute of a busy service is a handful of
 * rows however many jobs ran, and percentiles over any window are read from the sums. Bucket 0 holds
 * durations under 1 ms; bucket b >= 1 holds [2^((b-1)/4), 2^(b/4)) ms, four buckets to each doubling,
 * so a percentile is known to within about 19%. Both stores compute the same bucket (PostgreSQL in SQL,
 * as `1 + floor(4 * ln(ms) / ln(2))` in float8, which is exact at the powers of two where buckets meet
 * whole milliseconds, and far cheaper than numeric log), so the formula here and in the migrations
 * must not drift apart.
 */
export const LATENCY_BUCKETS_PER_DOUBLING = 4;
/** 2^(127/4) ms is about 270 years: nothing real lands above it, but the bound keeps the number small. */
export const MAX_LATENCY_BUCKET = 128;

export function latencyBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(MAX_LATENCY_BUCKET, 1 + Math.floor(LATENCY_BUCKETS_PER_DOUBLING * Math.log2(ms)));
}

/** The durations a bucket holds, [low, high) in milliseconds. */
export function bucketBounds(bucket: number): [number, number] {
  if (bucket <= 0) return [0, 1];
  return [2 ** ((bucket - 1) / LATENCY_BUCKETS_PER_DOUBLING), 2 ** (bucket / LATENCY_BUCKETS_PER_DOUBLING)];
}

/**
 * The q-quantile (0 < q <= 1) of durations counted per bucket, by nearest rank, placed within its bucket
 * in proportion to its rank there; null when nothing was counted.
 */
export function percentileOf(counts: ReadonlyMap<number, number>, q: number): number | null {
  const buckets = [...counts.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let before = 0;
  for (const [bucket, n] of buckets) {
    if (before + n >= rank) {
      const [low, high] = bucketBounds(bucket);
      return low + ((high - low) * (rank - before)) / n;
    }
    before += n;
  }
  return null;
}
