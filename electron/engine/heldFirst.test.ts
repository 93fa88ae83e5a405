import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineLogger } from '../log/logger.ts';
import { StoreError } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { HeldFirst } from './heldFirst.ts';
import { newRunning, type Running } from './running.ts';
import { StoreContact } from './storeContact.ts';

const LEASE_MS = 30_000;
const away = () => new StoreError('unreachable', 'cannot reach PostgreSQL at db:5432', 'check the host', { transient: true });

/**
 * A dispatcher's HeldFirst over a real store whose extensions fail while `refusing`, holding one job of its
 * own; `landHeld` counts the sends of held results.
 */
async function heldFirstOver(store: Store): Promise<{ held: HeldFirst; contact: StoreContact; extending: { refusing: boolean; tries: number }; landed: () => number; wakes: () => number }> {
  const [job] = await store.enqueue([{ queue: 'held', service_name: 'long', execution_type: 'noop', max_attempts: 1 }]);
  assert.ok(job);
  const [claimed] = await store.claim({ workerId: 'w', limit: 1, leaseMs: LEASE_MS, queues: ['held'] });
  assert.ok(claimed);
  const extending = { refusing: false, tries: 0 };
  const flaky = storeWith(store, {
    extendLeases: (workerId, ids, leaseMs) => {
      extending.tries++;
      return extending.refusing ? Promise.reject(away()) : store.extendLeases(workerId, ids, leaseMs);
    },
  });
  const log = lineLogger(() => undefined);
  const contact = new StoreContact({ graceMs: 25_000, lapseMs: LEASE_MS / 3, log });
  const executing = new Map<number, Running>([[claimed.id, newRunning(claimed, undefined, new Date(), Date.now() + LEASE_MS)]]);
  let landed = 0;
  let wakes = 0;
  const held = new HeldFirst(
    { store: flaky, workerId: 'w', leaseMs: LEASE_MS, log, contact },
    {
      executing,
      buffer: new Map(),
      releaseBuffered: () => undefined,
      results: {
        landHeld: () => {
          landed++;
          return Promise.resolve();
        },
        leasesKept: () => [],
      },
      wake: () => wakes++,
    },
  );
  return { held, contact, extending, landed: () => landed, wakes: () => wakes };
}

test('an extension the store could not take holds claims, and nothing else did, until the store answers again and the leases are extended', async () => {
  const { store, cleanup } = await createSqliteTestStore();
  try {
    const { held, contact, extending, landed, wakes } = await heldFirstOver(store);
    assert.equal(held.ready(), true, 'nothing held waits: ready at once, no promise to wait for');
    extending.refusing = true;
    await assert.rejects(held.extend(), StoreError);
    assert.equal(held.ready(), false, 'no claim while the extension failed');
    // The store answers another call: what is held lands first, the extension again among it.
    contact.answered();
    assert.equal(wakes(), 1, 'the claim loop is woken for it');
    const landing = held.ready();
    assert.ok(landing instanceof Promise, 'a claim waits for the landing');
    assert.equal(await landing, false, 'the extension failed again: still no claim');
    assert.equal(extending.tries, 2);
    assert.equal(landed(), 1, 'the held results were sent all the same');
    extending.refusing = false;
    contact.answered();
    assert.equal(await held.ready(), true, 'extended: it claims');
    assert.equal(extending.tries, 3);
    assert.equal(held.ready(), true);
  } finally {
    await cleanup();
  }
});
