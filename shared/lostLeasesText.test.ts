import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLI_STUCK_WORDS, lostHolderText, lostLeasesLine, whenStuck } from './lostLeasesText.ts';

const NOW = Date.parse('2026-12-07T04:00:00.000Z');

test("a lost worker's running jobs: stuck once their leases run out, then listed and failed by the interface's own means, or taken back by a live worker's watchdog", () => {
  const leases = { worker_id: 'w-gone', jobs: 2, leases_run_out_at: '2026-12-07T04:00:30.000Z' };
  assert.equal(
    lostLeasesLine(leases, NOW, CLI_STUCK_WORDS),
    "w-gone still holds 2 running job(s), stuck once their leases run out, by 2026-12-07T04:00:30.000Z: then opsdeck jobs --stuck lists them and opsdeck fail --stuck fails them, or a live worker's watchdog takes them back: pending again with that attempt spent (recorded lost), or a dead letter once out of attempts",
  );
  assert.equal(
    whenStuck(leases, NOW + 60_000, { list: 'L lists them', fail: 'F fails them' }),
    "their leases ran out at 2026-12-07T04:00:30.000Z: L lists them (F fails them now), or a live worker's watchdog takes them back: pending again with that attempt spent (recorded lost), or a dead letter once out of attempts",
  );
  assert.match(whenStuck({ leases_run_out_at: null }, NOW, CLI_STUCK_WORDS), /^their leases ran out: opsdeck jobs --stuck lists them \(opsdeck fail --stuck fails them now\), or a live worker's watchdog/);
});

test("one job of a lost worker: its worker, when it was last heard from, and whenStuck said of that job alone", () => {
  const worker = { id: 'w-gone', host: 'box', pid: 42, last_heartbeat_at: '2026-12-07T03:59:40.000Z' };
  const words = { list: 'opsdeck jobs --stuck lists it', fail: 'opsdeck fail 7 --reason TEXT fails it' };
  assert.equal(
    lostHolderText(worker, '2026-12-07T04:00:30.000Z', NOW, words),
    "worker w-gone is lost (last heartbeat 2026-12-07T03:59:40.000Z, box pid 42): nobody runs this job; stuck once its lease runs out, by 2026-12-07T04:00:30.000Z: then opsdeck jobs --stuck lists it and opsdeck fail 7 --reason TEXT fails it, or a live worker's watchdog takes it back: pending again with that attempt spent (recorded lost), or a dead letter once out of attempts",
  );
  assert.match(lostHolderText(worker, '2026-12-07T04:00:30.000Z', NOW + 60_000, words), /nobody runs this job; its lease ran out at 2026-12-07T04:00:30\.000Z: opsdeck jobs --stuck lists it \(opsdeck fail 7 --reason TEXT fails it now\), or a live worker's watchdog takes it back/);
});
