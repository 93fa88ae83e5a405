import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AT, controlState, stopped } from '../../lib/testing/fixtures.ts';
import { heldNote, lostNote, stateTitle } from './workerState.ts';

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

test("a lost worker's note says what becomes of its running jobs and when, as opsdeck workers does, in the console's words", () => {
  const now = Date.parse('2026-12-07T04:00:00.000Z');
  const leases = [{ worker_id: 'w-gone', jobs: 2, leases_run_out_at: '2026-12-07T04:00:30.000Z' }];
  const lost = [{ lost: true }, { lost: false }];
  assert.deepEqual(lostNote(lost, leases, now), [
    '1 worker has stopped sending heartbeats: nobody runs the jobs still leased to it.',
    'w-gone still holds 2 running job(s), stuck once their leases run out, by 2026-12-07T04:00:30.000Z: then the Jobs page with "Stuck only" lists them and "Fail now" in each one\'s drawer fails it, or a live worker\'s watchdog takes them back: pending again with that attempt spent (recorded lost), or a dead letter once out of attempts.',
    'Forget takes a lost worker off this list and the health check once it holds none.',
  ]);
  assert.match(lostNote(lost, leases, now + 60_000)[1] ?? '', /^w-gone still holds 2 running job\(s\), their leases ran out at 2026-12-07T04:00:30\.000Z: the Jobs page with "Stuck only" lists them \("Fail now" in each one's drawer fails it now\), or a live worker's watchdog/);
  assert.deepEqual(lostNote([{ lost: true }, { lost: true }], [], now), [
    '2 workers have stopped sending heartbeats: nobody runs the jobs still leased to them.',
    'None holds a running job any more: Forget takes a lost worker off this list and the health check.',
  ]);
  assert.deepEqual(lostNote([{ lost: false }], [], now), []);
});

test('a worker reconnecting after a store outage is not lost: no lost note, and its title says why it has not beaten', () => {
  assert.match(stateTitle('reconnecting', undefined) ?? '', /^Live when the store stopped answering, and no heartbeat since it answered again: not lost/);
  assert.deepEqual(lostNote([{ lost: false }, { lost: false }], [], Date.now()), [], 'two reconnecting workers: nobody to forget, nothing to start');
});
