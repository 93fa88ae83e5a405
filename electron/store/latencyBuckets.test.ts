import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketBounds, latencyBucket, MAX_LATENCY_BUCKET, percentileOf } from '../../shared/latencyBuckets.ts';

test('every duration falls inside the bounds of its bucket', () => {
  for (const ms of [0, 0.5, 1, 1.1, 2, 3, 9.99, 10, 57, 1000, 59_999, 3_600_000, 86_400_000]) {
    const [low, high] = bucketBounds(latencyBucket(ms));
    assert.ok(ms >= low && ms < high, `${ms} ms in [${low}, ${high})`);
  }
});

test('buckets are narrow: four to each doubling', () => {
  assert.equal(latencyBucket(1), 1);
  assert.equal(latencyBucket(2), 5);
  assert.equal(latencyBucket(1024), 41);
  const [low, high] = bucketBounds(latencyBucket(500));
  assert.ok(high / low < 1.2);
});

test('nothing counted has no percentile; negative and NaN durations land in bucket 0; huge ones in the last', () => {
  assert.equal(percentileOf(new Map(), 0.5), null);
  assert.equal(latencyBucket(-5), 0);
  assert.equal(latencyBucket(Number.NaN), 0);
  assert.equal(latencyBucket(1e300), MAX_LATENCY_BUCKET);
});

test('percentiles come from the ranked buckets, within a bucket of the exact value', () => {
  const durations = Array.from({ length: 1000 }, (_, i) => 10 + i);
  const counts = new Map<number, number>();
  for (const ms of durations) counts.set(latencyBucket(ms), (counts.get(latencyBucket(ms)) ?? 0) + 1);
  for (const q of [0.5, 0.95, 0.99]) {
    const exact = durations[Math.ceil(q * durations.length) - 1] ?? 0;
    const read = percentileOf(counts, q) ?? 0;
    assert.ok(Math.abs(read - exact) / exact < 0.19, `p${q * 100}: ${read} vs ${exact}`);
  }
});

test('a single bucket answers inside it', () => {
  const only = new Map([[latencyBucket(40), 3]]);
  const [low, high] = bucketBounds(latencyBucket(40));
  const p50 = percentileOf(only, 0.5) ?? -1;
  assert.ok(p50 > low && p50 <= high);
});
