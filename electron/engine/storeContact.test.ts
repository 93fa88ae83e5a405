import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineLogger } from '../log/logger.ts';
import { StoreError, StoreInputError } from '../store/errors.ts';
import { extendEveryMs } from './leaseExtension.ts';
import { SETTLE_RETRY_MOST_MS } from './settler.ts';
import { reclaimGraceMs, StoreContact } from './storeContact.ts';

const away = new StoreError('unreachable', 'cannot reach PostgreSQL at db:5432', 'check the host', { transient: true });

test("a worker that never lost the store takes back every worker's expired leases", () => {
  const contact = new StoreContact({ graceMs: 25_000, log: lineLogger(() => undefined) });
  assert.equal(contact.reclaimOwner('w1', 1_000), undefined);
  contact.answered(2_000);
  assert.equal(contact.reclaimOwner('w1', 2_000), undefined, 'an answer with nothing failed before is no recovery');
});

test('a worker that lost the store takes back only its own until the grace after the store answers again has passed, and says so once', () => {
  const lines: string[] = [];
  const contact = new StoreContact({ graceMs: 25_000, log: lineLogger((l) => lines.push(l)) });
  let told = 0;
  contact.onAnswersAgain(() => told++);
  contact.failed(away, 500);
  contact.failed(away, 600);
  assert.equal(contact.reclaimOwner('w1', 1_000), 'w1', 'while the store is away');
  assert.equal(contact.reclaimOwner('w1', 1_000_000), 'w1', 'however long it stays away');
  const back = new Date(2026, 0, 5, 19, 36, 2).getTime();
  contact.answered(back);
  contact.answered(back + 100);
  assert.equal(told, 1, 'told once, with the first answer');
  assert.equal(contact.reclaimOwner('w1', back + 24_999), 'w1', 'within the grace');
  assert.equal(contact.reclaimOwner('w1', back + 25_000), undefined, 'once it has passed');
  assert.deepEqual(lines, [
    `info the store answers again; taking back other workers' expired leases from 19:36:27, once they have had time to report from=${new Date(back + 25_000).toISOString()}`,
  ]);
  // Lost again within the grace: the grace counts again from the next answer.
  contact.failed(away, back + 9_000);
  contact.answered(back + 10_000);
  assert.equal(contact.reclaimOwner('w1', back + 30_000), 'w1');
  assert.equal(contact.reclaimOwner('w1', back + 35_000), undefined);
  assert.equal(told, 2);
});

test('only the store being unavailable loses it: a call refused for what it carried was answered', () => {
  const contact = new StoreContact({ graceMs: 25_000, log: lineLogger(() => undefined) });
  contact.answered(1_000);
  contact.failed(new StoreInputError('a heartbeat the store refuses'), 2_000);
  contact.failed(new Error('a bug'), 2_000);
  contact.failed(new StoreError('permission', 'permission denied for table tb_worker', 'grant it'), 2_000);
  assert.equal(contact.reclaimOwner('w1', 2_000), undefined);
  contact.failed(new StoreError('unavailable', 'PostgreSQL rolled back a statement: deadlock detected', 'try again', { transient: true }), 2_000);
  assert.equal(contact.reclaimOwner('w1', 2_000), 'w1', 'a deadlock is the store unable to take it now');
});

test('a call sent before the store last answered says nothing new when it fails: a network change strands calls that fail long after the store answered on a new connection', () => {
  const lines: string[] = [];
  const contact = new StoreContact({ graceMs: 25_000, log: lineLogger((l) => lines.push(l)) });
  contact.answered(1_000);
  contact.failed(away, 1_200);
  contact.answered(20_000);
  contact.failed(away, 19_999);
  assert.equal(contact.reclaimOwner('w1', 50_000), undefined, 'sent before the answer');
  assert.equal(lines.length, 1);
  contact.failed(away, 20_000);
  assert.equal(contact.reclaimOwner('w1', 50_000), 'w1', 'sent once it answered');
});

test('the grace covers a lease extension and the held results\' longest retry wait, with an extension interval of margin', () => {
  for (const leaseMs of [3000, 30_000, 120_000]) {
    const every = extendEveryMs(leaseMs);
    const grace = reclaimGraceMs(every);
    assert.ok(grace >= every + SETTLE_RETRY_MOST_MS + every, `lease ${leaseMs} ms: grace ${grace} ms`);
  }
  assert.equal(reclaimGraceMs(extendEveryMs(30_000)), 25_000, 'the default lease of 30 s, extended every 10 s');
});
