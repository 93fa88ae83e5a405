import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { LATENCY_BUCKETS_PER_DOUBLING, latencyBucket } from '../../shared/latencyBuckets.ts';
import type { ServiceRollups, TypeRollups } from '../store/store.ts';
import { performanceOf, servicePerformanceOf, windowRefusal, windowStart } from './performance.ts';

/** The q-quantile by nearest rank, from the durations themselves: what the buckets approximate. */
function exactPercentile(durations: number[], q: number): number {
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] ?? Number.NaN;
}

/** The rollups a store would hold after these jobs completed: one latency row per type and bucket. */
function rollupsOf(completed: Record<string, number[]>, others: TypeRollups['outcomes'] = []): TypeRollups {
  const latency: TypeRollups['latency'] = [];
  const outcomes: TypeRollups['outcomes'] = [...others];
  for (const [type, durations] of Object.entries(completed)) {
    const counts = new Map<number, number>();
    for (const ms of durations) counts.set(latencyBucket(ms), (counts.get(latencyBucket(ms)) ?? 0) + 1);
    for (const [bucket, n] of counts) latency.push({ execution_type: type, bucket, n });
    const other = outcomes.find((o) => o.execution_type === type);
    if (other) other.completed += durations.length;
    else outcomes.push({ execution_type: type, completed: durations.length, failed: 0, retried: 0 });
  }
  return { outcomes, latency };
}

/** A bucket's high end over its low end: an estimate and the exact value share a bucket, so differ by less. */
const BUCKET_RATIO = 2 ** (1 / LATENCY_BUCKETS_PER_DOUBLING);

function assertWithinBucket(estimate: number | null, exact: number, what: string): void {
  assert.ok(estimate !== null, `${what}: a percentile`);
  // The estimate is rounded to 0.1 ms, which may take it a hair past its bucket's edge.
  const ratio = Math.max(estimate, exact) / Math.min(estimate, exact);
  assert.ok(ratio <= BUCKET_RATIO + 0.1 / exact, `${what}: ${estimate} ms against ${exact} ms exactly`);
}

const since = new Date('2026-03-01T11:00:00.000Z');
const until = new Date('2026-03-01T12:00:00.000Z');

// A spread over four orders of magnitude, with a slow tail: shell jobs of seconds, HTTP calls of tens of ms.
const shell = Array.from({ length: 400 }, (_, i) => 200 + ((i * 7919) % 4000) + (i % 50 === 0 ? 60_000 : 0));
const http = Array.from({ length: 1000 }, (_, i) => 3 + ((i * 104_729) % 97) / 3);

describe('performance by type from the rollups', () => {
  it('p50, p95 and p99 from the buckets agree with the durations themselves within a bucket, per type and in total', () => {
    const result = performanceOf(rollupsOf({ shell, http }), since, until);
    for (const [type, durations] of [['shell', shell], ['http', http]] as const) {
      const row = result.types.find((t) => t.execution_type === type);
      assert.equal(row?.completed, durations.length);
      assertWithinBucket(row?.p50_ms ?? null, exactPercentile(durations, 0.5), `${type} p50`);
      assertWithinBucket(row?.p95_ms ?? null, exactPercentile(durations, 0.95), `${type} p95`);
      assertWithinBucket(row?.p99_ms ?? null, exactPercentile(durations, 0.99), `${type} p99`);
    }
    // The total ranks every job at once: its p95 lies among the shell jobs, far above both types' medians.
    const all = [...shell, ...http];
    assertWithinBucket(result.total.p50_ms, exactPercentile(all, 0.5), 'total p50');
    assertWithinBucket(result.total.p95_ms, exactPercentile(all, 0.95), 'total p95');
    assertWithinBucket(result.total.p99_ms, exactPercentile(all, 0.99), 'total p99');
    assert.equal(result.total.completed, all.length);
  });

  it('a single duration is its own percentile at every rank, within its bucket', () => {
    const { total } = performanceOf(rollupsOf({ noop: [42] }), since, until);
    for (const p of [total.p50_ms, total.p95_ms, total.p99_ms]) assertWithinBucket(p, 42, 'one job');
  });

  it('success rate counts dead letters against completions, never retried attempts; jobs per minute over the window', () => {
    const rollups = rollupsOf({ http: Array.from({ length: 90 }, () => 20) }, [{ execution_type: 'http', completed: 0, failed: 30, retried: 45 }]);
    const result = performanceOf(rollups, since, until);
    const row = result.types[0];
    assert.deepEqual([row?.completed, row?.failed, row?.retried, row?.success_rate], [90, 30, 45, 0.75]);
    assert.equal(row?.per_minute, 2, '120 finished jobs in 60 minutes');
    const halfMinuteMore = performanceOf(rollups, since, new Date(until.getTime() + 30_000));
    assert.equal(halfMinuteMore.total.per_minute, Math.round((120 / 60.5) * 100) / 100, 'the current minute counts as far as it went');
  });

  it('types come in the kinds\' order, only those with something in the window; --type keeps one and the total is its own', () => {
    const rollups = rollupsOf({ noop: [1, 2], shell: [1000], http: [50] }, [{ execution_type: 'docker', completed: 0, failed: 0, retried: 2 }]);
    const result = performanceOf(rollups, since, until);
    assert.deepEqual(result.types.map((t) => t.execution_type), ['shell', 'http', 'docker', 'noop']);
    const docker = result.types.find((t) => t.execution_type === 'docker');
    assert.deepEqual([docker?.success_rate, docker?.p50_ms, docker?.per_minute], [null, null, 0], 'only retries: nothing finished yet');
    const one = performanceOf(rollups, since, until, 'http');
    assert.deepEqual(one.types.map((t) => t.execution_type), ['http']);
    assert.deepEqual({ execution_type: 'http', ...one.total }, one.types[0]);
  });

  it('per service: each service its own figures under its type, by name; the types and the total from the same rows', () => {
    const rollups: ServiceRollups = { outcomes: [], latency: [] };
    const add = (service_name: string, execution_type: string, durations: number[], failed = 0, retried = 0) => {
      rollups.outcomes.push({ service_name, execution_type, completed: durations.length, failed, retried });
      const counts = new Map<number, number>();
      for (const ms of durations) counts.set(latencyBucket(ms), (counts.get(latencyBucket(ms)) ?? 0) + 1);
      for (const [bucket, n] of counts) rollups.latency.push({ service_name, execution_type, bucket, n });
    };
    add('search', 'http', Array.from({ length: 300 }, () => 20));
    add('billing', 'http', Array.from({ length: 100 }, () => 4000), 25, 10);
    add('backup', 'shell', [1000]);
    const result = servicePerformanceOf(rollups, since, until);
    assert.deepEqual(
      result.services?.map((s) => [s.service_name, s.execution_type, s.completed, s.failed, s.success_rate]),
      [
        ['backup', 'shell', 1, 0, 1],
        ['billing', 'http', 100, 25, 0.8],
        ['search', 'http', 300, 0, 1],
      ],
    );
    assertWithinBucket(result.services?.find((s) => s.service_name === 'billing')?.p50_ms ?? null, 4000, 'billing p50: its own, not the http type\'s');
    assertWithinBucket(result.types.find((t) => t.execution_type === 'http')?.p50_ms ?? null, 20, 'http p50: both services together');
    assert.deepEqual({ ...result, services: undefined }, { ...performanceOf(rollups, since, until), services: undefined }, 'types and total as by type');
    assert.deepEqual(servicePerformanceOf(rollups, since, until, 'shell').services?.map((s) => s.service_name), ['backup'], 'one type: its services');
    assert.equal(performanceOf(rollups, since, until).services, undefined, 'by type alone: no services');
    assert.doesNotThrow(() => calls['metrics.byType'].output.parse(result));
  });

  it('an empty window has no rows, a zero total and no percentiles, and still matches the contract', () => {
    const result = performanceOf({ outcomes: [], latency: [] }, since, until);
    assert.deepEqual(result.types, []);
    assert.deepEqual(result.total, { completed: 0, failed: 0, retried: 0, success_rate: null, p50_ms: null, p95_ms: null, p99_ms: null, per_minute: 0 });
    assert.doesNotThrow(() => calls['metrics.byType'].output.parse(result));
    assert.doesNotThrow(() => calls['metrics.byType'].output.parse(performanceOf(rollupsOf({ shell }), since, until)));
  });

  it('a window may reach as far back as the per-minute history is kept, and past it is refused saying how far that is', () => {
    assert.equal(windowRefusal(30 * 1440, '30d'), null);
    assert.equal(windowRefusal(60, '90m'), null);
    assert.equal(
      windowRefusal(30 * 1440 + 1, '30d'),
      "a window of 43201m reaches past the per-minute history, kept 30d (the registry's retention.history): at most 30d",
    );
    assert.equal(windowRefusal(7 * 1440, '36h'), "a window of 7d reaches past the per-minute history, kept 36h (the registry's retention.history): at most 36h");
    assert.match(windowRefusal(120, '1.5h') ?? '', /kept 1\.5h .*: at most 90m$/);
  });

  it('the window starts at the whole minute since_minutes ago', () => {
    assert.equal(windowStart(new Date('2026-03-01T12:00:42.500Z'), 60).toISOString(), '2026-03-01T11:00:00.000Z');
    assert.equal(windowStart(new Date('2026-03-01T12:00:00.000Z'), 15).toISOString(), '2026-03-01T11:45:00.000Z');
  });
});
