import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OverviewSeries } from '../../../../shared/contract.ts';
import { overviewStats } from '../../lib/testing/fixtures.ts';
import { latencyPoints, queueDepthPoints, throughputPoints } from './chartData.ts';

test('throughput is per minute whatever the bucket width', () => {
  const series: OverviewSeries = { window: '24h', bucket_seconds: 300, throughput: [{ at: '2026-11-22T08:00:00.000Z', completed: 10, failed: 1 }], latency: [] };
  assert.deepEqual(throughputPoints(series), [{ at: '2026-11-22T08:00:00.000Z', completed: 2, failed: 0.2 }]);
});

test('a paused queue says so in its label', () => {
  const stats = overviewStats({ queues: [{ queue: 'billing', pending: 3, running: 1, completed: 9, failed: 2, cancelled: 0, waiting: 0, blocked: 0, paused: true, oldest_due_age_s: null }] });
  assert.deepEqual(queueDepthPoints(stats), [{ queue: 'billing (paused)', pending: 3, running: 1, failed: 2 }]);
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
