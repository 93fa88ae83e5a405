import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OverviewSeries } from '../../../../shared/contract.ts';
import { overviewStats, queueStats } from '../../lib/testing/fixtures.ts';
import { latencyPoints, queueDepthPoints, throughputPoints } from './chartData.ts';

test('throughput is per minute whatever the bucket width', () => {
  const series: OverviewSeries = { window: '24h', bucket_seconds: 300, throughput: [{ at: '2026-11-22T08:00:00.000Z', completed: 10, failed: 1 }], latency: [] };
  assert.deepEqual(throughputPoints(series), [{ at: '2026-11-22T08:00:00.000Z', completed: 2, failed: 0.2 }]);
});

test('a paused queue says so in its label', () => {
  const stats = overviewStats({ queues: [queueStats({ queue: 'billing', pending: 3, running: 1, paused: true })] });
  assert.equal(queueDepthPoints(stats)[0]?.queue, 'billing (paused)');
});

test("a queue's bars are its backlog, due and not yet due, and its open dead letters, never every failed job kept", () => {
  const stats = overviewStats({
    queues: [queueStats({ queue: 'billing', pending: 3332, scheduled: 330, running: 80, completed: 146_925, failed: 13_071, cancelled: 3259, dead_letters: 5588 })],
  });
  assert.deepEqual(queueDepthPoints(stats), [{ queue: 'billing', due: 3002, not_due: 330, pending: 0, running: 80, dead_letters: 5588 }]);
});

test('a queue whose jobs not yet due were not counted shows its pending jobs undivided; a count read a moment apart never makes due ones negative', () => {
  const stats = overviewStats({ queues: [queueStats({ queue: 'a', pending: 40, scheduled: null }), queueStats({ queue: 'b', pending: 2, scheduled: 3 })] });
  assert.deepEqual(
    queueDepthPoints(stats).map((p) => [p.queue, p.due, p.not_due, p.pending]),
    [['a', 0, 0, 40], ['b', 0, 2, 0]],
  );
});

test('types that ran nothing in the window have no latency bar', () => {
  const series: OverviewSeries = {
    window: '1h',
    bucket_seconds: 60,
    throughput: [],
    latency: [
      { execution_type: 'shell', count: 0, p50_ms: null, p95_ms: null },
      { execution_type: 'http', count: 4, p50_ms: 120, p95_ms: 900 },
    ],
  };
  assert.deepEqual(latencyPoints(series), [{ type: 'http', p50: 120, p95: 900, count: 4 }]);
});
