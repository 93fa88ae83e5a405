import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEntry } from '../../shared/domain.ts';
import { createTestDatabase } from './testing/pgTestDb.ts';
import { createSqliteTestStore } from './testing/sqliteTestDb.ts';
import { openStore } from './open.ts';
import type { Store } from './store.ts';

const ACTOR = { user: 'ops', host: 'laptop' };

async function lastAudit(store: Store, action: string): Promise<Pick<AuditEntry, 'job_count' | 'details' | 'target'>> {
  const [row] = (await store.listAudit({ action }, { limit: 1 })).items;
  assert.ok(row, `an audit row for ${action}`);
  return { job_count: row.job_count, details: row.details, target: row.target };
}

/**
 * Each control change's audit row says what it did to the jobs, counted in its own transaction: two jobs
 * running (payments on queue a, mail on queue b) and one pending on queue a.
 */
async function check(store: Store): Promise<void> {
  const job = (queue: string, service_name: string) => ({ queue, service_name, execution_type: 'noop' as const, max_attempts: 3 });
  await store.enqueue([job('a', 'payments'), job('b', 'mail')]);
  assert.equal((await store.claim({ workerId: 'w1', limit: 10, leaseMs: 60_000 })).length, 2);
  await store.enqueue([job('a', 'payments')]);

  await store.setQueuePaused('a', true, ACTOR, 'slow');
  assert.deepEqual(await lastAudit(store, 'queue.pause'), {
    target: 'a',
    job_count: 1,
    details: { paused: true, reason: 'slow', pending_held: 1, running_left_to_finish: 1 },
  });
  await store.setQueuePaused('b', true, ACTOR, null);
  assert.deepEqual((await lastAudit(store, 'queue.pause')).details, { paused: true, reason: null, pending_held: 0, running_left_to_finish: 1 }, 'counted in its own queue');
  await store.setQueuePaused('a', false, ACTOR, null);
  assert.deepEqual(await lastAudit(store, 'queue.unpause'), { target: 'a', job_count: 1, details: { paused: false, reason: null, pending_released: 1 } });

  await store.setSafeMode(true, ACTOR, 'deploy');
  assert.deepEqual(await lastAudit(store, 'control.safe_mode'), {
    target: null,
    job_count: 1,
    details: { engaged: true, reason: 'deploy', pending_held: 1, running_left_to_finish: 2 },
  });
  await store.setSafeMode(false, ACTOR, null);
  assert.deepEqual((await lastAudit(store, 'control.safe_mode')).details, { engaged: false, reason: null, pending_released: 1 });

  const stop = await store.setEmergencyStop(true, ACTOR, 'walk drill');
  assert.equal(stop.changed, true);
  assert.deepEqual(await lastAudit(store, 'control.emergency_stop'), {
    target: null,
    job_count: 3,
    details: { engaged: true, reason: 'walk drill', running_asked_to_stop: 2, running_by_service: { mail: 1, payments: 1 }, pending_held: 1 },
  });
  await store.setEmergencyStop(false, ACTOR, null);
  assert.deepEqual(await lastAudit(store, 'control.resume'), { target: null, job_count: 1, details: { engaged: false, reason: null, pending_released: 1 } });

  // The stop a drain engages when its deadline passes, in the name of who asked for the drain.
  await store.setSafeMode(true, ACTOR, null, 1);
  assert.deepEqual((await lastAudit(store, 'control.safe_mode')).details, { engaged: true, reason: null, drain_s: 1, pending_held: 1, running_left_to_finish: 2 });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const ended = await store.endDrain();
  assert.ok(ended?.stopped, 'the drain engaged the stop');
  const drained = await lastAudit(store, 'control.emergency_stop');
  assert.equal(drained.job_count, 3);
  assert.deepEqual({ ...drained.details, reason: null }, { engaged: true, reason: null, drain_s: 1, running_asked_to_stop: 2, running_by_service: { mail: 1, payments: 1 }, pending_held: 1 });
}

describe('control changes audited with what they did to the jobs', () => {
  test('SQLite', async () => {
    const { store, cleanup } = await createSqliteTestStore();
    try {
      await check(store);
    } finally {
      await cleanup();
    }
  });

  test('PostgreSQL', async () => {
    const db = await createTestDatabase({ migrated: true });
    const store = await openStore(db.url);
    try {
      await check(store);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
