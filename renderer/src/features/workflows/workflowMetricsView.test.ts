import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkflowStatsView } from '../../../../shared/contract.ts';
import { parseDuration } from '../../../../shared/duration.ts';
import { METRICS_WINDOWS, metricsRows, metricsWindow, type MetricsWindow } from './workflowMetricsView.ts';

test('the window comes from the address, the day when it is missing or not offered; each is the minutes its label says', () => {
  assert.equal(metricsWindow(new URLSearchParams('stats=7d')), '7d');
  assert.equal(metricsWindow(new URLSearchParams('')), '24h');
  assert.equal(metricsWindow(new URLSearchParams('stats=2h')), '24h');
  for (const w of Object.keys(METRICS_WINDOWS) as MetricsWindow[]) assert.equal(parseDuration(w), METRICS_WINDOWS[w] * 60, w);
});

test('a row per workflow, its counts and durations as the CLI writes them, a dash where none completed', () => {
  const result = WorkflowStatsView.parse({
    since: '2026-03-01T11:00:00.000Z',
    until: '2026-03-02T11:00:00.000Z',
    workflows: [
      { workflow: 'doomed', runs: 2, running: 0, completed: 0, failed: 2, cancelled: 0, p50_ms: null, p95_ms: null },
      { workflow: 'nightly', runs: 1204, running: 1, completed: 1200, failed: 0, cancelled: 3, p50_ms: 842.6, p95_ms: 61_000 },
    ],
  });
  assert.deepEqual(metricsRows(result), [
    { workflow: 'doomed', cells: { runs: '2', succeeded: '0', failed: '2', cancelled: '0', running: '0', p50: '—', p95: '—' } },
    { workflow: 'nightly', cells: { runs: '1,204', succeeded: '1,200', failed: '0', cancelled: '3', running: '1', p50: '843 ms', p95: '1m 1s' } },
  ]);
});
