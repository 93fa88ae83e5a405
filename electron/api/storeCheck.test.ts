import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { calls, type ApiResponse } from '../../shared/contract.ts';
import type { HealthCheck } from '../../shared/domain.ts';
import { RegistryHolder } from '../config/holder.ts';
import { openPostgresStore } from '../store/postgres/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase, withClient, type TestDatabase } from '../store/testing/pgTestDb.ts';
import type { ApiContext } from './context.ts';
import { dispatch } from './dispatch.ts';
import { CONSOLE_WORDS } from './interfaceWords.ts';

function storeCheckOf(res: ApiResponse): HealthCheck {
  if (!res.ok) assert.fail(`${res.error.code}: ${res.error.message}`);
  const check = calls['health.check'].output.parse(res.result).checks.find((c) => c.name === 'store');
  assert.ok(check, 'a store check');
  return check;
}

function contextOn(store: Store): ApiContext {
  return { store, registry: new RegistryHolder({}), engine: null, actor: { user: 'tester', host: 'test-host' }, env: {}, settings: { localExecution: false }, words: CONSOLE_WORDS, runners: new Map() };
}

/**
 * The health check's store check on a PostgreSQL pool driven to exhaustion: every connection busy on a
 * statement that waits for a lock held elsewhere, and callers queued behind them.
 */
describe('the store check when the PostgreSQL pool is exhausted', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrated: true });
  });
  after(async () => {
    await db.drop();
  });

  /** Runs `body` while `calls` reads of the control table wait on a lock, on a pool of two. */
  async function exhausted(calls: number, body: (ctx: ApiContext, release: () => Promise<void>) => Promise<void>): Promise<void> {
    const store = await openPostgresStore(db.url, { poolSize: 2 });
    try {
      await store.getControl();
      await withClient(db.url, async (holder) => {
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE jobs.tb_control IN ACCESS EXCLUSIVE MODE');
        let released = false;
        const release = async () => {
          if (released) return;
          released = true;
          await holder.query('ROLLBACK');
        };
        const waiting = Array.from({ length: calls }, () => store.getControl().catch(() => undefined));
        try {
          // Both pooled connections wait on the lock on the server; the rest wait in the pool for one.
          for (let tries = 0; ; tries++) {
            await holder.query('SELECT pg_stat_clear_snapshot()');
            const { rows } = await holder.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
            if (rows[0]?.n === 2) break;
            assert.ok(tries < 200, 'both pooled connections wait on the lock');
            await new Promise((r) => setTimeout(r, 25));
          }
          await body(contextOn(store), release);
        } finally {
          await release();
          await Promise.all(waiting);
        }
      });
    } finally {
      await store.close();
    }
  }

  it('is a warning naming the connections in use, the pool size and the callers waiting, when one frees in time', { timeout: 30_000 }, async () => {
    await exhausted(3, async (ctx, release) => {
      const report = dispatch('health.check', {}, ctx);
      await new Promise((r) => setTimeout(r, 300));
      await release();
      const check = storeCheckOf(await report);
      assert.equal(check.ok, true, check.detail);
      assert.equal(check.warning, true, check.detail);
      assert.match(check.detail, /this process's own pool is exhausted: 2 of 2 connections in use, 1 caller waiting/);
    });
  });

  it('fails naming the busy pool, not an unreachable server, when none frees in time', { timeout: 30_000 }, async () => {
    await exhausted(4, async (ctx) => {
      const check = storeCheckOf(await dispatch('health.check', {}, ctx));
      assert.equal(check.ok, false, check.detail);
      assert.doesNotMatch(check.detail, /cannot reach/);
      assert.match(check.detail, /all 2 connections of this process's pool .* stayed busy for 5 s/);
      assert.match(check.detail, /2 of 2 connections in use, 2 callers waiting/);
    });
  });
});
