import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceGate } from '../../../shared/rateLimit.ts';
import { base, job, LEASE, sleep, waitForSignal } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

const rate = (limit: number, perMs: number): ServiceGate => ({ service: 'limited', limit, perMs, maxConcurrent: null });
const cap = (maxConcurrent: number): ServiceGate => ({ service: 'limited', limit: null, perMs: 1000, maxConcurrent });

/** Rate limits, fleet-wide concurrency caps and upstream pauses, held inside the claim. */
export function gatesContract(test: ContractTest): void {
  describe('service gates', () => {
    test('a rate limit caps the starts of a period across claimers; other services are not held', async (store) => {
      await store.enqueue([...Array.from({ length: 5 }, () => job('limited')), job('free'), job('free')]);
      const gate = rate(3, 60_000);
      const first = await store.claim({ workerId: 'w1', limit: 2, leaseMs: LEASE, gates: [gate] });
      const second = await store.claim({ workerId: 'w2', limit: 10, leaseMs: LEASE, gates: [gate] });
      const limited = [...first, ...second].filter((j) => j.service_name === 'limited');
      assert.equal(limited.length, 3, 'three starts of the period in all, whichever worker claimed them');
      assert.equal([...first, ...second].filter((j) => j.service_name === 'free').length, 2, 'the free service is claimed beside it');
      assert.deepEqual(await store.claim({ workerId: 'w3', limit: 10, leaseMs: LEASE, gates: [gate] }), []);
      const [use] = await store.rateUse([gate]);
      assert.equal(use?.used, 3);
      assert.match(use?.waiting_reason ?? '', /rate limit reached: 3 of 3 per 1m/);
      // Settling does not give a start back: the period counts starts, not running jobs.
      const settled = await store.settle([
        ...first.map((c) => ({ ...base(c, 'w1'), kind: 'completed' as const })),
        ...second.map((c) => ({ ...base(c, 'w2'), kind: 'completed' as const })),
      ]);
      assert.equal(settled.length, 5);
      assert.deepEqual(await store.claim({ workerId: 'w3', limit: 10, leaseMs: LEASE, gates: [gate] }), []);
    });

    test('starts leave the window as the period passes', async (store) => {
      await store.enqueue(Array.from({ length: 4 }, () => job('limited')));
      const gate = rate(2, 400);
      assert.equal((await store.claim({ workerId: 'w1', limit: 10, leaseMs: LEASE, gates: [gate] })).length, 2);
      assert.equal((await store.claim({ workerId: 'w1', limit: 10, leaseMs: LEASE, gates: [gate] })).length, 0);
      await sleep(450);
      assert.equal((await store.claim({ workerId: 'w1', limit: 10, leaseMs: LEASE, gates: [gate] })).length, 2);
    });

    test('max_concurrent counts running jobs of every worker; a settle frees a place', async (store) => {
      await store.enqueue(Array.from({ length: 4 }, () => job('limited')));
      const gate = cap(2);
      const a = await store.claim({ workerId: 'w1', limit: 1, leaseMs: LEASE, gates: [gate] });
      const b = await store.claim({ workerId: 'w2', limit: 5, leaseMs: LEASE, gates: [gate] });
      assert.equal(a.length + b.length, 2);
      assert.deepEqual(await store.claim({ workerId: 'w3', limit: 5, leaseMs: LEASE, gates: [gate] }), []);
      const [use] = await store.rateUse([gate]);
      assert.equal(use?.running, 2);
      assert.match(use?.waiting_reason ?? '', /max_concurrent reached: 2 of 2/);
      const done = a[0];
      assert.ok(done);
      await store.settle([{ ...base(done, 'w1'), kind: 'completed' }]);
      assert.equal((await store.claim({ workerId: 'w3', limit: 5, leaseMs: LEASE, gates: [gate] })).length, 1);
    });

    test("an upstream's pause holds the service for everyone until it ends, and is announced", async (store, handle) => {
      await store.enqueue([job('limited'), job('limited')]);
      const other = handle.openSecond ? await handle.openSecond() : null;
      try {
        const heard = other ? waitForSignal(other, 'control', 5000) : Promise.resolve(true);
        const heardHere = waitForSignal(store, 'control', 5000);
        await sleep(50);
        await store.pauseService('limited', new Date(Date.now() + 400), 'HTTP 429 Retry-After 1s');
        // An earlier end never shortens a pause already stored.
        await store.pauseService('limited', new Date(Date.now() + 10), 'shorter');
        assert.equal(await heard, true);
        assert.equal(await heardHere, true, "this process's own listeners (the desktop's console) hear it too");
        const pauses = await store.listServicePauses();
        assert.deepEqual(pauses.map((p) => [p.service_name, p.reason]), [['limited', 'HTTP 429 Retry-After 1s']]);
        const gate = rate(10, 1000);
        assert.deepEqual(await store.claim({ workerId: 'w1', limit: 5, leaseMs: LEASE, gates: [gate] }), []);
        assert.match((await store.rateUse([gate]))[0]?.waiting_reason ?? '', /^paused until .*429/);
        await sleep(450);
        assert.deepEqual(await store.listServicePauses(), []);
        assert.equal((await store.claim({ workerId: 'w1', limit: 5, leaseMs: LEASE, gates: [gate] })).length, 2);
      } finally {
        await other?.close();
      }
    });
  });
}
