import assert from 'node:assert/strict';
import { test } from 'node:test';
import { controlState, stopped } from '../../lib/testing/fixtures.ts';
import { controlNotice } from './controlNotice.ts';

test('a call that changed nothing says so in the API\'s words, never what it would have done', () => {
  const note = 'the emergency stop was already engaged by ops@laptop; nothing changed';
  assert.equal(controlNotice({ ...stopped(2), changed: false, note }), 'The emergency stop was already engaged by ops@laptop; nothing changed.');
  const safeOff = { ...controlState(), changed: false, note: 'safe mode was not on; nothing changed' };
  assert.equal(controlNotice(safeOff, () => 'Safe mode off: dispatch resumes.'), 'Safe mode was not on; nothing changed.');
});

test('a call that changed the state says what done says, or nothing where the banner says it', () => {
  const on = { ...controlState({ safe_mode: { engaged: true, by: 'ops@laptop', at: '2026-11-22T08:00:00.000Z', reason: null } }), changed: true, note: null };
  assert.equal(controlNotice(on, (s) => (s.safe_mode.engaged ? 'Safe mode on.' : 'Safe mode off.')), 'Safe mode on.');
  assert.equal(controlNotice({ ...stopped(2), changed: true, note: null }), null);
});

test('an emergency stop says what it asked to stop and held, and what becomes of the stopped jobs', () => {
  const engaged = { ...stopped(2), changed: true, note: null, stopped: { running: 2, running_fail_on_interrupt: 0, running_unknown_service: 0, pending: 5 } };
  assert.equal(
    controlNotice(engaged),
    'Emergency stop: 2 running job(s) asked to stop, back to pending with their attempt not spent, to run again once released; 5 pending job(s) held.',
  );
  assert.equal(controlNotice({ ...engaged, changed: false, note: 'the emergency stop was already engaged by ops@laptop; nothing changed', stopped: null }), 'The emergency stop was already engaged by ops@laptop; nothing changed.');
});
