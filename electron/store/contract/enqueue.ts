import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { job, mustGet, allJobIds } from './fixtures.ts';
import { StoreInputError } from '../errors.ts';
import type { ContractTest } from './fixtures.ts';

/** Enqueue: defaults, idempotency by identifier, validation, batches. */
export function enqueueContract(test: ContractTest): void {
  describe('enqueue', () => {
    test('creates a pending job with defaults, found by id and by identifier', async (store) => {
      const payload = { args: ['--fast'], nested: { n: 1, ok: true }, text: 'héllo 💥' };
      const [result] = await store.enqueue([job('billing', { payload, priority: 2 })]);
      assert.ok(result);
      assert.equal(result.created, true);
      assert.ok(result.identifier.startsWith('billing-'), `generated identifier ${result.identifier}`);
      const byId = await mustGet(store, result.id);
      assert.deepEqual(await mustGet(store, result.identifier), byId);
      assert.equal(byId.status, 'pending');
      assert.equal(byId.queue, 'default');
      assert.equal(byId.service_name, 'billing');
      assert.equal(byId.execution_type, 'noop');
      assert.deepEqual(byId.payload, payload);
      assert.equal(byId.priority, 2);
      assert.equal(byId.attempts, 0);
      assert.equal(byId.max_attempts, 3);
      assert.ok(Date.parse(byId.run_at) <= Date.now() + 1000);
      assert.ok(Math.abs(Date.parse(byId.created_at) - Date.now()) < 60_000);
      assert.equal(byId.lease_owner, null);
      assert.equal(byId.started_at, null);
      assert.equal(byId.completed_at, null);
      assert.equal(byId.error_message, null);
      assert.equal(byId.resolved_at, null);
      assert.equal(byId.cancel_requested, false);
      assert.equal(await store.getJob(987_654), null);
      assert.equal(await store.getJob('no-such-identifier'), null);
      assert.equal(await store.getJob(String(result.id)), null, 'its id as text is an identifier no job has');
    });

    test('is idempotent by identifier, single and in bulk', async (store) => {
      const [first] = await store.enqueue([job('svc', { identifier: 'order-1' })]);
      const [again] = await store.enqueue([job('svc', { identifier: 'order-1', priority: 9 })]);
      assert.ok(first && again);
      assert.equal(again.created, false);
      assert.equal(again.id, first.id);
      assert.equal((await mustGet(store, first.id)).priority, 0, 'the existing job is not overwritten');
      const bulk = await store.enqueue([job('svc', { identifier: 'order-2' }), job('svc', { identifier: 'order-1' }), job('svc', { identifier: 'order-2' }), job('svc')]);
      assert.deepEqual(
        bulk.map((r) => [r.identifier, r.created]),
        [['order-2', true], ['order-1', false], ['order-2', false], [bulk[3]?.identifier, true]],
      );
      assert.equal(bulk[0]?.id, bulk[2]?.id);
      assert.equal(bulk[1]?.id, first.id);
      assert.equal((await allJobIds(store)).length, 3);
    });

    test('a mixed batch keeps its order and each job its own fields', async (store) => {
      const batch = [
        job('alpha', { payload: 'a1' }),
        job('beta', { queue: 'q2', execution_type: 'shell', priority: 5, payload: { b: 1 } }),
        job('beta', { queue: 'q2', execution_type: 'shell', priority: 5, payload: [true, null], run_at: '2031-05-05T00:00:00Z' }),
        job('alpha', { payload: 12.5, max_attempts: 7 }),
      ];
      const results = await store.enqueue(batch);
      assert.deepEqual(results.map((r) => r.created), [true, true, true, true]);
      const ids = results.map((r) => r.id);
      assert.deepEqual([...ids].sort((a, b) => a - b), ids, 'ids rise in batch order');
      const stored = await Promise.all(ids.map((id) => mustGet(store, id)));
      assert.deepEqual(
        stored.map((j) => [j.service_name, j.queue, j.execution_type, j.priority, j.max_attempts, j.payload]),
        [['alpha', 'default', 'noop', 0, 3, 'a1'], ['beta', 'q2', 'shell', 5, 3, { b: 1 }], ['beta', 'q2', 'shell', 5, 3, [true, null]], ['alpha', 'default', 'noop', 0, 7, 12.5]],
      );
      assert.equal(Date.parse(stored[2]?.run_at ?? ''), Date.parse('2031-05-05T00:00:00Z'));
      assert.ok(Date.parse(stored[1]?.run_at ?? '') <= Date.now() + 1000);
      assert.equal(new Set(results.map((r) => r.identifier)).size, 4, 'generated identifiers are distinct');
    });

    test('each result of a bulk names the job made from that item, after jobs before it and between batches', async (store) => {
      await store.enqueue([job('svc', { identifier: 'before' })]);
      const first = await store.enqueue(Array.from({ length: 1500 }, (_, i) => job('bulk', { payload: { i } })));
      const second = await store.enqueue([...Array.from({ length: 300 }, (_, i) => job('bulk', { payload: { i: 1500 + i } })), job('svc', { identifier: 'before' })]);
      const results = [...first, ...second.slice(0, 300)];
      assert.ok(results.every((r) => r.created));
      assert.equal(new Set(results.map((r) => r.id)).size, 1800);
      // Read a hundred at a time: 1800 reads at once queue behind a pool of four for longer than a pool waits
      // for a connection on a loaded machine, and the test is of the results, not of the pool.
      const stored = [];
      for (let i = 0; i < results.length; i += 100) stored.push(...(await Promise.all(results.slice(i, i + 100).map((r) => mustGet(store, r.id)))));
      assert.deepEqual(stored.map((j) => j.payload), Array.from({ length: 1800 }, (_, i) => ({ i })));
      assert.deepEqual(stored.map((j) => j.identifier), results.map((r) => r.identifier));
      assert.equal(second[300]?.created, false);
      assert.equal(second[300]?.id, (await mustGet(store, 'before')).id);
    });

    test("a bulk's payloads come back exactly as given, whatever their JSON", async (store) => {
      const containers = [
        { text: 'quote " backslash \\ newline \n tab \t', unicode: 'é ✓ 😀 \u2028', nested: { list: [1, -2.5, 1e21, null, false] } },
        [],
        {},
        ['a', { b: [] }],
        { big: 9007199254740991, tiny: 5e-324, empty: '' },
      ];
      const mixed = [{ a: 1 }, 'text', 12.5, null, true, 0, ['x']];
      for (const payloads of [containers, mixed]) {
        const results = await store.enqueue(payloads.map((payload) => job('bulk', { payload })));
        const stored = await Promise.all(results.map((r) => mustGet(store, r.id)));
        assert.deepEqual(stored.map((j) => j.payload), payloads);
      }
    });

    test('a bad row in a bulk leaves nothing behind', async (store) => {
      await assert.rejects(store.enqueue([job('svc', { identifier: 'a' }), job('svc', { run_at: 'not-a-date' }), job('svc', { identifier: 'c' })]));
      assert.deepEqual(await allJobIds(store), []);
      const ok = await store.enqueue([job('svc', { identifier: 'a' }), job('svc', { identifier: 'c' })]);
      assert.deepEqual(ok.map((r) => r.created), [true, true]);
    });

    test('a priority outside what the stores keep is refused by name, on both stores alike', async (store) => {
      for (const priority of [2 ** 31, -(2 ** 31) - 1, 1.5]) {
        await assert.rejects(store.enqueue([job('svc', { priority })]), (error: unknown) => error instanceof StoreInputError && /job 1 of the batch: priority must be a whole number from -2147483648 to 2147483647/.test(error.message));
      }
      assert.deepEqual(await allJobIds(store), []);
      const ends = await store.enqueue([job('svc', { priority: 2 ** 31 - 1 }), job('svc', { priority: -(2 ** 31) })]);
      assert.deepEqual(ends.map((r) => r.created), [true, true]);
    });

    test('run_at with an offset is stored as the same instant', async (store) => {
      const [r] = await store.enqueue([job('svc', { run_at: '2030-01-01T02:00:00+02:00' })]);
      assert.ok(r);
      const stored = await mustGet(store, r.id);
      assert.equal(Date.parse(stored.run_at), Date.parse('2030-01-01T00:00:00Z'));
    });
  });
}
