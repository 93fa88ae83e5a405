import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineLogger } from '../log/logger.ts';
import { StoreError, StoreInputError } from '../store/errors.ts';
import { extendEveryMs } from './leaseExtension.ts';
import { SETTLE_RETRY_MOST_MS } from './settler.ts';
import { reclaimGraceMs, StoreContact } from './storeContact.ts';

/** An extension every 10 s and a grace of 25 s: the default lease's. */
const LAPSE_MS = 10_000;
const GRACE_MS = 25_000;
const away = new StoreError('unreachable', 'cannot reach PostgreSQL at db:5432', 'check the host', { transient: true });

/** HH:MM:SS of an epoch ms on this machine's clock. */
function clockOf(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

function contactLogging(lines: string[] = []): StoreContact {
  return new StoreContact({ graceMs: GRACE_MS, lapseMs: LAPSE_MS, log: lineLogger((l) => lines.push(l)) });
}

test("a worker that never lost the store takes back every worker's expired leases", () => {
  const contact = contactLogging();
  assert.equal(contact.reclaimLimit(1_000), null);
  contact.answered(2_000);
  assert.equal(contact.reclaimLimit(2_000), null, 'an answer with nothing failed before is no recovery');
  assert.equal(contact.lost, false);
});

test("a worker that lost the store takes back its own and the others' that ran out before the loss began, until the grace after the store answers again has passed, and says so once", () => {
  const lines: string[] = [];
  const contact = contactLogging(lines);
  let told = 0;
  contact.onAnswersAgain(() => told++);
  contact.answered(1_000);
  contact.failed(away, 1_500);
  contact.failed(away, 2_000);
  assert.equal(contact.lost, true);
  assert.deepEqual(contact.reclaimLimit(2_000), { othersBefore: 1_000 }, 'from its last answer: a lease that ran out before, ran out while the store answered');
  assert.deepEqual(contact.reclaimLimit(1_000_000), { othersBefore: 1_000 }, 'however long it stays away');
  const back = new Date(2026, 0, 5, 19, 36, 2).getTime();
  contact.answered(back);
  contact.answered(back + 100);
  assert.equal(contact.lost, false);
  assert.equal(told, 1, 'told once, with the first answer');
  assert.deepEqual(contact.reclaimLimit(back + 24_999), { othersBefore: 1_000 }, 'within the grace');
  assert.equal(contact.reclaimLimit(back + 25_000), null, 'once it has passed');
  assert.deepEqual(lines, [
    `info the store answers again; taking back other workers' expired leases from 19:36:27, once they have had time to report from=${new Date(back + 25_000).toISOString()} unanswered_ms=${back - 1_000}`,
  ]);
});

test('a loss too short for a lease to lapse starts no grace: a worker whose calls fail now and then takes back every expired lease between them', () => {
  const lines: string[] = [];
  const contact = contactLogging(lines);
  let told = 0;
  contact.onAnswersAgain(() => told++);
  for (let t = 20_000; t < 620_000; t += 20_000) {
    contact.answered(t);
    contact.failed(away, t + 1);
    assert.deepEqual(contact.reclaimLimit(t + 1_000), { othersBefore: t }, 'while lost, the leases that ran out before the loss are taken back');
    contact.answered(t + LAPSE_MS - 1);
    assert.equal(contact.reclaimLimit(t + LAPSE_MS), null, `${t / 1000} s: answered again within an extension interval`);
  }
  assert.equal(told, 30, 'what the dispatcher holds is landed after every loss');
  assert.equal(lines.length, 30);
  assert.equal(lines[0], `info the store answers again unanswered_ms=${LAPSE_MS - 1}`);
});

test("a long loss within a grace extends it, and keeps the start of the loss it began with; a short one changes nothing", () => {
  const contact = contactLogging();
  contact.answered(1_000);
  contact.failed(away, 1_001);
  contact.answered(40_000);
  assert.deepEqual(contact.reclaimLimit(40_000), { othersBefore: 1_000 });
  contact.failed(away, 45_000);
  contact.answered(46_000);
  assert.equal(contact.reclaimLimit(40_000 + GRACE_MS), null, 'a blip in the grace does not extend it');
  contact.answered(70_000);
  contact.failed(away, 70_000);
  contact.answered(82_000);
  assert.deepEqual(contact.reclaimLimit(82_000), { othersBefore: 70_000 }, 'a grace that had ended starts afresh');
  contact.failed(away, 90_000);
  assert.deepEqual(contact.reclaimLimit(90_000), { othersBefore: 70_000 }, 'lost within it');
  contact.answered(101_000);
  assert.deepEqual(contact.reclaimLimit(101_000 + GRACE_MS - 1), { othersBefore: 70_000 }, "the leases that ran out in the first loss still wait for their owners, till the new grace's end");
  assert.equal(contact.reclaimLimit(101_000 + GRACE_MS), null);
});

test('only the store being unavailable loses it: a call refused for what it carried was answered', () => {
  const contact = contactLogging();
  contact.answered(1_000);
  contact.failed(new StoreInputError('a heartbeat the store refuses'), 2_000);
  contact.failed(new Error('a bug'), 2_000);
  contact.failed(new StoreError('permission', 'permission denied for table tb_worker', 'grant it'), 2_000);
  assert.equal(contact.lost, false);
  assert.equal(contact.reclaimLimit(2_000), null);
  contact.failed(new StoreError('unavailable', 'PostgreSQL rolled back a statement: deadlock detected', 'try again', { transient: true }), 2_000);
  assert.equal(contact.lost, true, 'a deadlock is the store unable to take it now');
});

test('a worker whose first calls failed lost the store from the start: a grace, and none of the others\' leases taken back before it ends', () => {
  const lines: string[] = [];
  const contact = contactLogging(lines);
  contact.failed(away, 5_000);
  assert.deepEqual(contact.reclaimLimit(5_000), { othersBefore: -Infinity });
  contact.answered(6_000);
  assert.deepEqual(contact.reclaimLimit(6_000 + GRACE_MS - 1), { othersBefore: -Infinity });
  assert.equal(contact.reclaimLimit(6_000 + GRACE_MS), null);
  assert.deepEqual(lines.map((l) => l.replace(/ from=\S+$/, '')), [`info the store answers again; taking back other workers' expired leases from ${clockOf(6_000 + GRACE_MS)}, once they have had time to report`]);
});

test('a call sent before the store last answered says nothing new when it fails: a network change strands calls that fail long after the store answered on a new connection', () => {
  const lines: string[] = [];
  const contact = contactLogging(lines);
  contact.answered(1_000);
  contact.failed(away, 1_200);
  contact.answered(20_000);
  contact.failed(away, 19_999);
  assert.equal(contact.lost, false, 'sent before the answer');
  assert.equal(lines.length, 1);
  contact.failed(away, 20_000);
  assert.equal(contact.lost, true, 'sent once it answered');
});

test('the grace covers a lease extension and the held results\' longest retry wait, with an extension interval of margin', () => {
  for (const leaseMs of [3000, 30_000, 120_000]) {
    const every = extendEveryMs(leaseMs);
    const grace = reclaimGraceMs(every);
    assert.ok(grace >= every + SETTLE_RETRY_MOST_MS + every, `lease ${leaseMs} ms: grace ${grace} ms`);
  }
  assert.equal(reclaimGraceMs(extendEveryMs(30_000)), GRACE_MS, 'the default lease of 30 s, extended every 10 s');
});
