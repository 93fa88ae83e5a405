import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineLogger } from '../log/logger.ts';
import { quietLog } from './quietLog.ts';

test('a repeated line is said once per window, then again with how often it was held back', () => {
  const lines: string[] = [];
  let clock = 0;
  const log = quietLog(lineLogger((line) => lines.push(line)), 60_000, () => clock);
  log.warn('heartbeat failed', { error: 'store away' });
  clock = 2_000;
  log.warn('heartbeat failed', { error: 'store away' });
  log.warn('could not read the circuit breakers', { error: 'store away' });
  clock = 4_000;
  log.warn('heartbeat failed', { error: 'store away' });
  clock = 61_000;
  log.warn('heartbeat failed', { error: 'store away' });
  assert.deepEqual(lines, [
    'warn heartbeat failed error="store away"',
    'warn could not read the circuit breakers error="store away"',
    'warn heartbeat failed (and 2 more time(s) in the last 60 s) error="store away"',
  ]);
});

test('a line not repeated within the window is said plainly next time; other fields or levels are other lines', () => {
  const lines: string[] = [];
  let clock = 0;
  const log = quietLog(lineLogger((line) => lines.push(line)), 1_000, () => clock);
  log.warn('job taken back', { job_id: 1 });
  log.warn('job taken back', { job_id: 2 });
  log.error('job taken back', { job_id: 2 });
  clock = 5_000;
  log.warn('job taken back', { job_id: 1 });
  assert.deepEqual(lines, ['warn job taken back job_id=1', 'warn job taken back job_id=2', 'error job taken back job_id=2', 'warn job taken back job_id=1']);
});

test('an info line always passes, and a warning held back before it is told again after it', () => {
  const lines: string[] = [];
  let clock = 0;
  const log = quietLog(lineLogger((line) => lines.push(line)), 60_000, () => clock);
  log.warn('heartbeat failed', { error: 'store away' });
  log.warn('heartbeat failed', { error: 'store away' });
  clock = 10_000;
  log.info('the store answers again; heartbeats resumed');
  clock = 20_000;
  log.warn('heartbeat failed', { error: 'store away' });
  clock = 30_000;
  log.info('the store answers again; heartbeats resumed');
  assert.deepEqual(lines, [
    'warn heartbeat failed error="store away"',
    'info the store answers again; heartbeats resumed',
    'warn heartbeat failed error="store away"',
    'info the store answers again; heartbeats resumed',
  ]);
});

test('debug lines, each a job\'s life, are never held back', () => {
  const lines: string[] = [];
  const log = quietLog(lineLogger((line) => lines.push(line)), 60_000, () => 0);
  log.debug('claimed', { job_id: 1 });
  log.debug('claimed', { job_id: 1 });
  assert.equal(lines.length, 2);
});
