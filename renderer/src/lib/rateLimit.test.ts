import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { debounce, throttle } from './rateLimit.ts';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
afterEach(() => mock.timers.reset());

test('debounce: a burst of calls runs once, after the delay from its first call', () => {
  let runs = 0;
  const limited = debounce(() => (runs += 1), 250);
  limited.run();
  mock.timers.tick(200);
  limited.run();
  limited.run();
  assert.equal(runs, 0);
  mock.timers.tick(50);
  assert.equal(runs, 1);
  limited.run();
  mock.timers.tick(250);
  assert.equal(runs, 2);
});

test('throttle: the first change shows soon, a steady stream at most once per period', () => {
  let runs = 0;
  const limited = throttle(() => (runs += 1), 2000, 500);
  limited.run();
  mock.timers.tick(499);
  assert.equal(runs, 0);
  mock.timers.tick(1);
  assert.equal(runs, 1);
  // Changes keep coming: the next run waits for the period since the last one, not the short delay.
  limited.run();
  mock.timers.tick(500);
  assert.equal(runs, 1);
  mock.timers.tick(1500);
  assert.equal(runs, 2);
  // After a quiet spell, the first change is quick again.
  mock.timers.tick(10_000);
  limited.run();
  mock.timers.tick(500);
  assert.equal(runs, 3);
});

test('a cancelled run never happens, and the next call starts afresh', () => {
  let runs = 0;
  const limited = throttle(() => (runs += 1), 2000, 500);
  limited.run();
  limited.cancel();
  mock.timers.tick(5000);
  assert.equal(runs, 0);
  limited.run();
  mock.timers.tick(500);
  assert.equal(runs, 1);
});
