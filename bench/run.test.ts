import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

/**
 * The benchmark itself, run as a user runs it: a real child process on both stores, small enough for CI.
 * No rate is asserted (speed is the benchmark's output, not a test's verdict); what is asserted is that
 * it measures: one complete JSON line per store, its clocks consistent with one another.
 */

const env = { ...process.env, ...(process.env.OPSDECK_TEST_PG_URL ? { OPSDECK_BENCH_PG_URL: process.env.OPSDECK_TEST_PG_URL } : {}) };
const bench = (...args: string[]) => spawnSync(process.execPath, ['bench/run.ts', ...args], { encoding: 'utf8', env, timeout: 120_000 });

test("bench/run.ts measures both stores and prints one line of the peers' fields and its own for each", () => {
  const run = bench('all', '300', '4');
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((line): unknown => JSON.parse(line));
  assert.equal(lines.length, 2);
  lines.forEach((line, index) => {
    assert.ok(typeof line === 'object' && line !== null);
    const m = new Map(Object.entries(line));
    assert.deepEqual([m.get('system'), m.get('store'), m.get('jobs'), m.get('concurrency')], ['opsdeck', ['sqlite', 'postgres'][index], 300, 4]);
    const numbers = ['enqueue_per_s', 'process_per_s', 'handled_per_s', 'enqueue_ms', 'process_ms', 'handled_ms', 'stop_ms', 'process_node_cpu_ms'].map((key) => m.get(key));
    for (const value of numbers) assert.ok(typeof value === 'number' && Number.isFinite(value) && value >= 0, `${JSON.stringify(line)}`);
    const handledMs = Number(m.get('handled_ms'));
    const processMs = Number(m.get('process_ms'));
    assert.ok(handledMs <= processMs, `the 300th runner return (${handledMs} ms) comes before every result is stored (${processMs} ms)`);
    assert.ok(Number(m.get('handled_per_s')) >= Number(m.get('process_per_s')));
    if (index === 0) assert.equal(m.get('process_server_cpu_ms'), null, "SQLite's work is the Node process's own");
  });
});

test('bench/run.ts refuses arguments it does not know with the usage line and exit code 2', () => {
  const run = bench('mysql', '10');
  assert.equal(run.status, 2);
  assert.match(run.stderr, /unknown store "mysql"/);
  assert.match(run.stderr, /usage: node bench\/run\.ts/);
});

test('bench/run.ts queries fills a history and times every console call, one JSON line each', () => {
  const run = bench('queries', '--store', 'sqlite', '--jobs', '3000', '--runs', '1');
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((line): unknown => JSON.parse(line));
  assert.ok(lines.length >= 30, `a line per call, got ${lines.length}`);
  const labels = new Set<string>();
  for (const line of lines) {
    assert.ok(typeof line === 'object' && line !== null);
    const m = new Map(Object.entries(line));
    for (const key of ['p50_ms', 'p95_ms', 'target_ms', 'rows']) assert.ok(typeof m.get(key) === 'number', `${key} in ${JSON.stringify(line)}`);
    labels.add(String(m.get('label')));
  }
  for (const label of ['overview.stats', 'dlq.groups', 'jobs: search, no match', 'jobs.get trace']) assert.ok(labels.has(label), label);
});

test('bench/run.ts left-out times claims behind jobs they may not take, one JSON line per reason', () => {
  const run = bench('left-out', '--store', 'sqlite', '--jobs', '2000');
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((line): unknown => JSON.parse(line));
  const reasons = lines.map((line) => {
    assert.ok(typeof line === 'object' && line !== null);
    const m = new Map(Object.entries(line));
    assert.deepEqual([m.get('store'), m.get('left_out'), m.get('claims')], ['sqlite', 2000, 20]);
    for (const key of ['p50_ms', 'p95_ms']) assert.ok(typeof m.get(key) === 'number' && Number(m.get(key)) >= 0, `${key} in ${JSON.stringify(line)}`);
    return m.get('why');
  });
  assert.deepEqual(reasons, ['breaker open', 'service capped', 'queue paused', 'queue served elsewhere', 'idle, retries due tomorrow']);
});
