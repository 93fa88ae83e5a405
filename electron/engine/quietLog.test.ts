import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quietLog } from './quietLog.ts';

test('a repeated line is said once per window, then again with how often it was held back', () => {
  const lines: string[] = [];
  let clock = 0;
  const log = quietLog((line) => lines.push(line), 60_000, () => clock);
  log('engine: heartbeat failed: store away');
  clock = 2_000;
  log('engine: heartbeat failed: store away');
  log('engine: could not read the circuit breakers: store away');
  clock = 4_000;
  log('engine: heartbeat failed: store away');
  clock = 61_000;
  log('engine: heartbeat failed: store away');
  assert.deepEqual(lines, [
    'engine: heartbeat failed: store away',
    'engine: could not read the circuit breakers: store away',
    'engine: heartbeat failed: store away (and 2 more time(s) in the last 60 s)',
  ]);
});

test('a line not repeated within the window is said plainly next time', () => {
  const lines: string[] = [];
  let clock = 0;
  const log = quietLog((line) => lines.push(line), 1_000, () => clock);
  log('engine: job 1 was taken back');
  clock = 5_000;
  log('engine: job 1 was taken back');
  assert.deepEqual(lines, ['engine: job 1 was taken back', 'engine: job 1 was taken back']);
});
