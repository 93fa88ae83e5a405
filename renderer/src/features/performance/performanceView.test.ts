import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PerformanceByType } from '../../../../shared/contract.ts';
import { parseDuration } from '../../../../shared/duration.ts';
import { performanceByService, performanceRows, performanceService, performanceWindow, serviceChoices, serviceRows, WINDOW_CHOICES, WINDOW_MINUTES, windowKept, windowWords } from './performanceView.ts';

const figures = { completed: 0, failed: 0, retried: 0, success_rate: null, p50_ms: null, p95_ms: null, p99_ms: null, per_minute: 0 };

test('the window comes from the address, the hour when it is missing or not offered', () => {
  assert.equal(performanceWindow(new URLSearchParams('window=30d')), '30d');
  assert.equal(performanceWindow(new URLSearchParams('window=6h')), '6h');
  assert.equal(performanceWindow(new URLSearchParams('')), '1h');
  assert.equal(performanceWindow(new URLSearchParams('window=15m')), '1h');
  assert.equal(performanceWindow(new URLSearchParams('window=hasOwnProperty')), '1h');
  assert.deepEqual(WINDOW_CHOICES.map((w) => windowWords(performanceWindow(new URLSearchParams({ window: w })))), [
    'the last hour',
    'the last 6 hours',
    'the last 24 hours',
    'the last 7 days',
    'the last 30 days',
  ]);
});

test('each window is the minutes its label says, as the CLI and the REST API read the same words', () => {
  for (const w of WINDOW_CHOICES) assert.equal(parseDuration(w), WINDOW_MINUTES[w] * 60, w);
});

test('a window is offered only as far back as the per-minute history is kept; unknown yet, the host decides', () => {
  assert.deepEqual(WINDOW_CHOICES.map((w) => windowKept(w, '30d')), [true, true, true, true, true]);
  assert.deepEqual(WINDOW_CHOICES.map((w) => windowKept(w, '7d')), [true, true, true, true, false]);
  assert.equal(windowKept('24h', '12h'), false);
  assert.equal(windowKept('30d', undefined), true);
});

test('a row per type in the host\'s order and a total, each figure as the CLI writes it', () => {
  const result = PerformanceByType.parse({
    since: '2026-03-01T11:00:00.000Z',
    until: '2026-03-01T12:00:42.000Z',
    types: [
      { ...figures, execution_type: 'shell', completed: 1200, failed: 3, retried: 7, success_rate: 0.9975, p50_ms: 842.6, p95_ms: 9999.4, p99_ms: 61_000, per_minute: 19.83 },
      { ...figures, execution_type: 'docker', retried: 2 },
    ],
    total: { ...figures, completed: 1200, failed: 3, retried: 9, success_rate: 0.9975, p50_ms: 842.6, p95_ms: 9999.4, p99_ms: 61_000, per_minute: 19.83 },
  });
  const rows = performanceRows(result);
  assert.deepEqual(rows.types.map((r) => r.label), ['shell', 'docker']);
  assert.deepEqual(rows.types[0]?.cells, { completed: '1,200', deadLettered: '3', retries: '7', success: '99.8%', p50: '843 ms', p95: '10.0 s', p99: '1m 1s', perMinute: '19.83' });
  assert.deepEqual(rows.types[1]?.cells, { completed: '0', deadLettered: '0', retries: '2', success: '—', p50: '—', p95: '—', p99: '—', perMinute: '0.00' }, 'only retries: nothing finished yet');
  assert.equal(rows.total.label, 'All types');
  assert.equal(rows.total.cells.retries, '9');
  assert.ok(!rows.types.some((r) => r.key === rows.total.key), 'the total\'s key is no type\'s');
});

test('a row per service with its type, and the total of all services; the selector offers the registry\'s, those with history, and the one chosen', () => {
  const result = PerformanceByType.parse({
    since: '2026-03-01T11:00:00.000Z',
    until: '2026-03-01T12:00:42.000Z',
    types: [{ ...figures, execution_type: 'http', completed: 3, failed: 1, success_rate: 0.75, per_minute: 0.07 }],
    services: [
      { ...figures, service_name: 'billing', execution_type: 'http', completed: 3, success_rate: 1, p50_ms: 40, per_minute: 0.05 },
      { ...figures, service_name: 'retired', execution_type: 'http', failed: 1, success_rate: 0, per_minute: 0.02 },
    ],
    total: { ...figures, completed: 3, failed: 1, success_rate: 0.75, per_minute: 0.07 },
  });
  const rows = serviceRows(result);
  assert.deepEqual(rows.services.map((r) => [r.label, r.type, r.cells.completed, r.cells.deadLettered, r.cells.success, r.cells.p50]), [
    ['billing', 'http', '3', '0', '100.0%', '40 ms'],
    ['retired', 'http', '0', '1', '0.0%', '—'],
  ]);
  assert.equal(rows.total.label, 'All services');
  assert.equal(rows.total.cells.success, '75.0%');
  assert.deepEqual(serviceChoices(['search', 'billing'], result, undefined), ['billing', 'retired', 'search'], 'one gone from the registry still has its figures');
  assert.deepEqual(serviceChoices([], undefined, 'typed'), ['typed'], 'the address\'s service, before anything answers');
  assert.equal(performanceService(new URLSearchParams('service=billing')), 'billing');
  assert.equal(performanceService(new URLSearchParams('service=')), undefined);
  assert.equal(performanceService(new URLSearchParams('')), undefined);
  assert.deepEqual([performanceByService(new URLSearchParams('by=service')), performanceByService(new URLSearchParams('')), performanceByService(new URLSearchParams('by=type'))], [true, false, false]);
  assert.deepEqual(serviceRows(PerformanceByType.parse({ ...result, services: undefined })).services, [], 'none asked: no rows');
});
