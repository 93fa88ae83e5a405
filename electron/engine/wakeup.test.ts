import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Wakeup } from './wakeup.ts';

test('wake cuts a wait short', async () => {
  const w = new Wakeup();
  const waiting = w.wait(60_000);
  w.wake();
  await waiting;
});

test('a wake with nobody waiting is kept for the next wait, once', async () => {
  const w = new Wakeup();
  w.wake();
  w.wake();
  await w.wait(60_000);
  const second = w.wait(50).then(() => 'slept');
  const first = await Promise.race([second, new Promise((r) => setTimeout(() => r('still waiting'), 10))]);
  assert.equal(first, 'still waiting', 'the two wakes were one');
  assert.equal(await second, 'slept');
});
