import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AT, controlState, stopped } from '../../lib/testing/fixtures.ts';
import { controlNotice } from './controlNotice.ts';
import { queueNotice } from './queueNotice.ts';

const paused = (queue: string) => controlState({ paused_queues: [{ queue, by: 'ops@laptop', at: AT, reason: null }] });

test('a pause names the queue and what it means: no new jobs taken from it, running ones finish', () => {
  assert.equal(queueNotice('billing', paused('billing')), 'Queue billing paused: workers take no new jobs from it; jobs already running finish.');
});

test('a resume names the queue, and says when the emergency stop or safe mode still holds it', () => {
  assert.equal(queueNotice('billing', paused('reports')), 'Queue billing resumed: workers take its jobs again.');
  assert.equal(queueNotice('billing', stopped(3)), 'Queue billing resumed: workers take its jobs again once the emergency stop is released.');
  const safe = controlState({ safe_mode: { engaged: true, by: 'ops@laptop', at: AT, reason: null } });
  assert.equal(queueNotice('billing', safe), 'Queue billing resumed: workers take its jobs again once safe mode is turned off.');
});

test('a pause or resume that changed nothing says the host\'s note instead, never that it paused or resumed', () => {
  const again = { ...paused('billing'), changed: false, note: 'queue billing was already paused by ops@laptop; nothing changed' };
  assert.equal(controlNotice(again, (s) => queueNotice('billing', s)), 'Queue billing was already paused by ops@laptop; nothing changed.');
  const notPaused = { ...controlState(), changed: false, note: 'queue billing was not paused; nothing changed' };
  assert.equal(controlNotice(notPaused, (s) => queueNotice('billing', s)), 'Queue billing was not paused; nothing changed.');
  assert.equal(controlNotice({ ...paused('billing'), changed: true, note: null }, (s) => queueNotice('billing', s)), 'Queue billing paused: workers take no new jobs from it; jobs already running finish.');
});
