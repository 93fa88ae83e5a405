import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Store } from '../store.ts';
import { alice, auditActions, base, claimOne, deadLetter, later, mustGet, only, type ContractTest } from './fixtures.ts';

const SOCKET = 'POST http://127.0.0.1:18777/charges: the server closed the connection (UND_ERR_SOCKET)';
const UNAVAILABLE = 'POST http://127.0.0.1:18777/charges answered 503 Service Unavailable';

/** A job whose first attempt timed out and was retried, and whose second failed it of `errorClass`. */
async function timedOutFirst(store: Store, service: string, message: string, errorClass: string): Promise<number> {
  const first = await claimOne(store, { service_name: service });
  await store.settle([{ ...base(first), kind: 'retry', error: { message: 'timed out after 2s', error_class: 'timeout', fingerprint: 'fp-timeout' }, run_at: later(-1000), outcome: 'timed_out' }]);
  const second = only(await store.claim({ workerId: 'w1', limit: 5, leaseMs: 60_000 }));
  assert.equal(second.id, first.id);
  await store.settle([{ ...base(second), kind: 'failed', error: { message, error_class: errorClass, fingerprint: `fp-${errorClass}` }, outcome: 'failed' }]);
  return first.id;
}

/** A dead letter of class timeout, sent back by an operator's retry, that then failed of `errorClass`. */
async function timedOutBeforeRetry(store: Store, service: string, message: string, errorClass: string): Promise<number> {
  const id = await deadLetter(store, service, { message: 'timed out after 2s', error_class: 'timeout', fingerprint: 'fp-timeout' });
  assert.equal((await store.dlqRetry({ job_ids: [id] }, alice)).retried, 1);
  const again = only(await store.claim({ workerId: 'w1', limit: 5, leaseMs: 60_000 }));
  assert.equal(again.id, id);
  await store.settle([{ ...base(again), kind: 'failed', error: { message, error_class: errorClass, fingerprint: `fp-${errorClass}` }, outcome: 'failed' }]);
  return id;
}

/** Dead letters picked by the class they failed of: the runbooks' "connection" when the errors' text says something else. */
export function dlqClassesContract(test: ContractTest): void {
  describe('dead letters by failure class', () => {
    test('a selector with a class picks the dead letters whose last attempt failed of it, a family too, in every read and action', async (store) => {
      const connection = [
        await deadLetter(store, 'payments', { message: SOCKET, error_class: 'connection', fingerprint: 'fp-connection' }),
        await deadLetter(store, 'payments', { message: SOCKET, error_class: 'connection', fingerprint: 'fp-connection' }),
      ];
      const unavailable = [
        await deadLetter(store, 'payments', { message: UNAVAILABLE, error_class: 'http_503', fingerprint: 'fp-503' }),
        await deadLetter(store, 'reports', { message: UNAVAILABLE, error_class: 'http_503', fingerprint: 'fp-503r' }),
      ];
      const both = await timedOutFirst(store, 'payments', SOCKET, 'connection');
      const retried = await timedOutBeforeRetry(store, 'payments', SOCKET, 'connection');
      const ofConnection = [both, retried, ...connection].sort((a, b) => b - a);
      assert.equal(await store.dlqCount({ error_class: 'connection' }), 4);
      // The class dlq groups names each group's: an attempt that timed out before a retry, the engine's or an operator's, is no timeout.
      assert.equal(await store.dlqCount({ error_class: 'timeout' }), 0, 'an earlier attempt of the class is not the class the dead letter failed of');
      assert.deepEqual((await store.dlqList({ error_class: 'timeout' }, { limit: 10 })).items, []);
      assert.equal((await store.dlqRetryPreview({ error_class: 'timeout' })).matched, 0);
      assert.equal(await store.dlqResolve({ error_class: 'timeout' }, 'no timeout is open', alice), 0);
      assert.equal(await store.dlqCount({ error_class: 'http_5xx' }), 2);
      assert.equal(await store.dlqCount({ error_class: 'http_5xx', service: 'reports' }), 1);
      assert.equal(await store.dlqCount({ error_class: 'tls' }), 0);
      const ids = async (selector: Parameters<Store['dlqList']>[0], limit = 10) => (await store.dlqList(selector, { limit })).items.map((j) => j.id);
      assert.deepEqual(await ids({ error_class: 'connection' }), ofConnection);
      // A fingerprint and a class together: each is held to, the group of another class is none of this one.
      assert.deepEqual(await ids({ error_class: 'http_503', fingerprint: 'fp-503' }), [unavailable[0]]);
      assert.deepEqual(await ids({ error_class: 'connection', fingerprint: 'fp-503' }), []);
      assert.equal(await store.dlqCount({ error_class: 'connection', fingerprint: 'fp-503' }), 0);
      // A search and a class together: the searched page holds only jobs of the class, so it is never short of one that exists.
      assert.deepEqual(await ids({ error_class: 'connection', search: 'closed the connection' }, 1), [ofConnection[0]]);
      assert.deepEqual(await ids({ error_class: 'timeout', search: 'closed the connection' }), []);
      assert.deepEqual(await ids({ error_class: 'http_5xx', search: 'closed the connection' }), []);
      const firstPage = await store.dlqList({ error_class: 'connection' }, { limit: 3 });
      assert.equal(firstPage.items.length, 3);
      assert.ok(firstPage.next_cursor);
      assert.deepEqual((await store.dlqList({ error_class: 'connection' }, { limit: 3, after: firstPage.next_cursor })).items.map((j) => j.id), ofConnection.slice(3));

      assert.equal((await store.dlqRetryPreview({ error_class: 'http_5xx' })).matched, 2);
      assert.equal(await store.dlqResolve({ error_class: 'http_5xx', service: 'reports' }, 'reports is retired', alice), 1);
      assert.equal((await mustGet(store, unavailable[1] ?? 0)).resolution, 'reports is retired');
      assert.equal((await store.dlqRetryPreview({ error_class: 'connection' })).matched, 4);
      assert.equal((await store.dlqRetry({ error_class: 'connection' }, alice)).retried, 4);
      for (const id of ofConnection) assert.equal((await mustGet(store, id)).status, 'pending');
      assert.equal(await store.dlqCount({}), 1, 'only the 503 of payments is left');
      const audits = await auditActions(store);
      assert.deepEqual(audits.find((a) => a.action === 'dlq.retry' && a.job_count === 4)?.details?.selector, { error_class: 'connection' });
      assert.deepEqual(audits.find((a) => a.action === 'dlq.resolve' && a.job_count === 1)?.details?.selector, { service: 'reports', error_class: 'http_5xx' });
    });

    test('each group names the class its dead letters failed of, searched or not', async (store) => {
      await deadLetter(store, 'payments', { message: SOCKET, error_class: 'connection', fingerprint: 'fp-connection' });
      await timedOutFirst(store, 'payments', SOCKET, 'connection');
      await deadLetter(store, 'payments', { message: UNAVAILABLE, error_class: 'http_503', fingerprint: 'fp-503' });
      for (const filter of [{}, { search: 'charges' }, { service: 'payments' }]) {
        const groups = await store.dlqGroups(filter);
        assert.deepEqual(groups.map((g) => [g.fingerprint, g.count, g.error_class]), [['fp-connection', 2, 'connection'], ['fp-503', 1, 'http_503']], JSON.stringify(filter));
      }
    });
  });
}
