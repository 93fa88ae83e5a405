import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { postgresStoreMadeBefore, sqliteStoreMadeBefore } from './testing/storeMadeBefore.ts';
import type { Store } from './store.ts';

/**
 * A store whose audit log recorded a queue unpaused as `queue.resume` (before SQLite 0026, PostgreSQL 0039):
 * those rows are `queue.unpause` now, so a filter by it finds them; the emergency stop's `control.resume`
 * rows are left as they are.
 */
async function check(store: Store): Promise<void> {
  const unpaused = await store.listAudit({ action: 'queue.unpause' }, { limit: 10 });
  assert.deepEqual(unpaused.items.map((a) => [a.action, a.target, a.actor]), [['queue.unpause', 'reports', 'ops@laptop']]);
  assert.deepEqual((await store.listAudit({ action: 'control.resume' }, { limit: 10 })).items.map((a) => a.action), ['control.resume']);
  assert.deepEqual((await store.listAudit({ action: 'queue.resume' }, { limit: 10 })).items, [], 'no row keeps the old name');
}

describe('queue unpauses audited before they had their own action', () => {
  test('SQLite', () =>
    sqliteStoreMadeBefore(
      25,
      (db) => {
        const insert = db.prepare(`INSERT INTO tb_audit_log (at, actor, action, target) VALUES ('2026-01-01T00:00:00.000Z', 'ops@laptop', ?, ?)`);
        insert.run('queue.resume', 'reports');
        insert.run('control.resume', null);
      },
      check,
    ));

  test('PostgreSQL', () =>
    postgresStoreMadeBefore(
      38,
      async (db) => {
        await db.query(`INSERT INTO jobs.tb_audit_log (actor, action, target) VALUES ('ops@laptop', 'queue.resume', 'reports'), ('ops@laptop', 'control.resume', NULL)`);
      },
      check,
    ));
});
