import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AT, controlState, stopped } from '../../lib/testing/fixtures.ts';
import { heldNote, stateTitle } from './workerState.ts';

const safe = controlState({ safe_mode: { engaged: true, by: 'ops@laptop', at: AT, reason: null } });

test('a held worker is not stopping, and the page says what holds it and where to lift it', () => {
  const workers = [{ state: 'held' as const, lost: false }, { state: 'held' as const, lost: false }];
  assert.equal(heldNote(workers, safe), '2 workers are held by safe mode: they take no new jobs and are not stopping, so restarting them changes nothing. Leave safe mode in the banner above to dispatch again.');
  assert.equal(heldNote(workers.slice(1), stopped(1)), '1 worker is held by the emergency stop: it takes no new jobs and is not stopping, so restarting it changes nothing. Resume in the banner above dispatches again.');
  assert.equal(heldNote(workers, controlState()), '2 workers are held: dispatch was released, and they take jobs again within seconds.');
  assert.equal(heldNote(workers, undefined), '2 workers are held: they take no new jobs and are not stopping, so restarting them changes nothing.', 'the control state not read yet: nothing says it was released');
  assert.equal(stateTitle('held', safe), 'Held by safe mode: it takes no new jobs, and is not stopping; it takes them again once released');
});

test('a draining worker is the one stopping; running, lost and stopped ones need no note', () => {
  assert.equal(stateTitle('draining', safe), 'Stopping: it takes no new jobs, and its running jobs finish first');
  assert.equal(stateTitle('running', safe), undefined);
  assert.equal(heldNote([{ state: 'draining', lost: false }, { state: 'running', lost: false }, { state: 'held', lost: true }], safe), null);
});
