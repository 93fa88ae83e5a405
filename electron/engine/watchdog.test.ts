import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineLogger } from '../log/logger.ts';
import { StoreError } from '../store/errors.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { EngineEmitter } from './engineEvents.ts';
import { extendEveryMs } from './leaseExtension.ts';
import { reclaimGraceMs, StoreContact } from './storeContact.ts';
import { Watchdog } from './watchdog.ts';

const LEASE_MS = 30_000;
const GRACE_MS = reclaimGraceMs(extendEveryMs(LEASE_MS));
const away = new StoreError('unavailable', 'the store did not answer within 10000 ms while sending a heartbeat', 'check the network to it', { transient: true });

/**
 * A fleet through a minute-long outage, then ten minutes in which each worker has one call time out every
 * 20 s (answered again 2 s later), on a clock the test moves: the store's and the watchdogs' alike.
 */
test("a fleet whose calls fail now and then takes back a dead worker's jobs: one that ran out before the outage at once, one that ran out in it once the grace has passed", async (t) => {
  const t0 = Date.now();
  t.mock.timers.enable({ apis: ['Date'], now: t0 });
  const { store, cleanup } = await createSqliteTestStore();
  try {
    const [before, during] = await store.enqueue([
      { queue: 'before', service_name: 'long', execution_type: 'noop', max_attempts: 2 },
      { queue: 'during', service_name: 'long', execution_type: 'noop', max_attempts: 2 },
    ]);
    assert.ok(before && during);
    // Its worker died a second after the claim, well before the outage.
    assert.equal((await store.claim({ workerId: 'died-before', limit: 1, leaseMs: 1000, queues: ['before'] })).length, 1);
    t.mock.timers.setTime(t0 + 4_000);
    // Its worker died just before the outage: the lease runs out in it, as the live workers' do.
    assert.equal((await store.claim({ workerId: 'died-during', limit: 1, leaseMs: LEASE_MS, queues: ['during'] })).length, 1);

    const log = lineLogger(() => undefined);
    const fleet = ['w1', 'w2', 'w3'].map((id, i) => {
      const contact = new StoreContact({ graceMs: GRACE_MS, lapseMs: extendEveryMs(LEASE_MS), log });
      const watchdog = new Watchdog({ store, log, contact, workerId: id, dispatcher: { ownAttempts: () => [], wake: () => undefined }, emitter: new EngineEmitter(log) });
      return { contact, watchdog, offset: i * 7_000 };
    });
    for (const w of fleet) {
      w.contact.answered(t0 + 5_000);
      w.contact.failed(away, t0 + 5_000);
    }
    const outageEnds = t0 + 65_000;
    for (const w of fleet) w.contact.answered(outageEnds);

    const takenAt = new Map<number, number>();
    for (let now = outageEnds; now < outageEnds + 600_000; now += 1_000) {
      t.mock.timers.setTime(now);
      for (const w of fleet) {
        const phase = (now - outageEnds + w.offset) % 20_000;
        if (phase === 0) w.contact.failed(away, now);
        // Heartbeats answered between the failures.
        else if (phase >= 2_000) w.contact.answered(now);
        if ((now - outageEnds) % 5_000 === 0) await w.watchdog.run();
      }
      for (const job of [before, during]) {
        if (!takenAt.has(job.id) && (await store.getJob(job.id))?.status === 'pending') takenAt.set(job.id, now - outageEnds);
      }
    }
    assert.equal(takenAt.get(before.id), 0, "the lease that ran out before the outage is taken back at the first look, in the grace: its worker was not cut off by it");
    const duringAt = takenAt.get(during.id);
    assert.ok(duringAt !== undefined, "the dead worker's lease that ran out in the outage is taken back at last");
    assert.ok(duringAt >= GRACE_MS && duringAt <= GRACE_MS + 5_000, `taken back ${duringAt} ms after the store answered again; the grace is ${GRACE_MS} ms and the watchdogs look every 5 s`);
  } finally {
    await cleanup();
  }
});

test('a worker that lost the store looks at its own expired leases, then the others\' that ran out before the loss: what the first look took back is told even when the second fails', async () => {
  const { store, cleanup } = await createSqliteTestStore();
  try {
    const [own] = await store.enqueue([{ queue: 'own', service_name: 'long', execution_type: 'noop', max_attempts: 2 }]);
    assert.ok(own);
    assert.equal((await store.claim({ workerId: 'w1', limit: 1, leaseMs: 1, queues: ['own'] })).length, 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const looks: Array<{ expiredBefore: number | null; owner: string | null }> = [];
    const failing = storeWith(store, {
      reclaimExpired: (expiredBefore, settling, owner) => {
        looks.push({ expiredBefore: expiredBefore?.getTime() ?? null, owner: owner ?? null });
        return expiredBefore ? Promise.reject(away) : store.reclaimExpired(expiredBefore, settling, owner);
      },
    });
    const lines: string[] = [];
    const log = lineLogger((l) => lines.push(l));
    const contact = new StoreContact({ graceMs: GRACE_MS, lapseMs: extendEveryMs(LEASE_MS), log });
    contact.answered(1_000);
    contact.failed(away, 2_000);
    const emitter = new EngineEmitter(log);
    const told: number[][] = [];
    emitter.on('job', ({ ids }) => told.push(ids));
    let woken = 0;
    const watchdog = new Watchdog({ store: failing, log, contact, workerId: 'w1', dispatcher: { ownAttempts: () => [], wake: () => woken++ }, emitter });
    await assert.rejects(watchdog.run(), StoreError);
    assert.deepEqual(looks, [{ expiredBefore: null, owner: 'w1' }, { expiredBefore: 1_000, owner: null }]);
    assert.deepEqual(told, [[own.id]]);
    assert.equal(woken, 1);
    assert.ok(lines.some((l) => l.startsWith('warn took back jobs whose lease ran out') && l.includes(`job_ids=[${own.id}]`)), lines.join('\n'));
  } finally {
    await cleanup();
  }
});
