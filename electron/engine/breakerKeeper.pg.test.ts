import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CircuitBreakerConfig } from '../../shared/registry.ts';
import { lineLogger } from '../log/logger.ts';
import { openPostgresStore } from '../store/postgres/open.ts';
import type { Settlement, Store } from '../store/store.ts';
import { createTestDatabase, withClient, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { BreakerKeeper } from './breakerKeeper.ts';
import { KEPT_MOST } from './breakerBacklog.ts';
import { EngineEmitter } from './engineEvents.ts';
import { startTcpRelay } from './testing/tcpRelay.ts';
import { waitFor } from './testing/harness.ts';

const failed = (n: number, said = ''): Settlement => ({
  jobId: n,
  attemptId: n,
  workerId: 'w1',
  kind: 'failed',
  outcome: 'failed',
  error: { message: `upstream returned 503 (#${n})${said}`, error_class: 'http_503', fingerprint: 'fp-503' },
});
const completed = (n: number): Settlement => ({ jobId: n, attemptId: n, workerId: 'w1', kind: 'completed' });

/**
 * A worker's breakers while its PostgreSQL database goes away and comes back: the outcomes of jobs whose
 * results landed just before are kept, not dropped, and written once the store answers, in the order they
 * happened and once.
 */
describe('breaker outcomes while the store does not answer', () => {
  let db: TestDatabase;
  const closing: Array<() => Promise<void> | void> = [];

  before(async () => {
    db = await createTestDatabase({ migrated: true });
  });

  after(async () => {
    await db.allowConnections(true).catch(() => undefined);
    for (const close of closing.reverse()) await close();
    await db.drop();
  });

  async function keeperOn(store: Store, config: Partial<CircuitBreakerConfig>) {
    const lines: string[] = [];
    const log = lineLogger((line) => lines.push(line));
    const keeper = new BreakerKeeper({ store, config: () => CircuitBreakerConfig.parse(config), emitter: new EngineEmitter(log), log, changed: () => undefined });
    closing.push(() => keeper.close());
    await keeper.refresh();
    return { keeper, lines };
  }

  test('failures recorded while the database is closed open the breaker once it opens again, counted once, in order', { timeout: 30_000 }, async () => {
    const store = await openPostgresStore(db.url);
    closing.push(() => store.close());
    const { keeper, lines } = await keeperOn(store, { failure_threshold: 5, minimum_volume: 5, window: 600, recovery_timeout: 600 });
    const t0 = Date.now();
    const at = (i: number) => new Date(t0 + i * 1000);
    keeper.recordSettled(completed(1), 'success', 'billing', false, at(0));
    keeper.recordSettled(completed(2), 'success', 'billing', false, at(0));
    keeper.recordSettled(failed(3), 'failure', 'billing', false, at(1));
    await keeper.flush();
    assert.deepEqual(await counts(store), { state: 'closed', failures: 1, successes: 2 });

    await db.allowConnections(false);
    try {
      for (let i = 1; i <= 6; i++) keeper.recordSettled(failed(10 + i), 'failure', 'billing', false, at(1 + i));
      await keeper.flush();
      assert.ok(lines.some((l) => l.startsWith('warn') && l.includes('kept')), lines.join('\n'));
    } finally {
      await db.allowConnections(true);
    }
    // Nobody flushes: the keeper tries again by itself.
    const opened = await waitFor('the breaker to open', async () => {
      const b = await store.getBreaker('billing');
      return b?.state === 'open' ? b : null;
    }, 15_000);
    assert.equal(opened.window_failures, 7, 'every failure counted once');
    assert.equal(opened.opened_at, at(5).toISOString(), 'opened at the fourth failure of the outage: the fifth of the window, with seven calls');
    assert.equal(opened.last_error, 'upstream returned 503 (#16)', 'the last failure was applied last');
    await keeper.flush();
    assert.deepEqual(await store.getBreaker('billing'), opened, 'nothing written twice');
    const transitions = (await store.listAudit({ action: 'breaker.transition' }, { limit: 10 })).items;
    assert.deepEqual(transitions.map((a) => [a.target, a.details?.to]), [['billing', 'open']]);
    assert.ok(lines.some((l) => l.startsWith('info') && l.includes('kept')), lines.join('\n'));
  });

  test("one service's row refused by the store holds back only that service's outcomes, not the others' of the round", { timeout: 30_000 }, async () => {
    const store = await openPostgresStore(db.url);
    closing.push(() => store.close());
    const refusing: Store = storeWith(store, {
      async saveBreaker(record, transition) {
        if (record.service_name === 'stuck') throw new Error('could not serialize access due to a bug in this row');
        return store.saveBreaker(record, transition);
      },
    });
    const { keeper, lines } = await keeperOn(refusing, { failure_threshold: 100, minimum_volume: 1, window: 600 });
    const at = new Date();
    // The refused service first: the round must go on past it.
    keeper.recordSettled(failed(1), 'failure', 'stuck', false, at);
    keeper.recordSettled(failed(2), 'failure', 'payments', false, at);
    await keeper.flush();
    assert.equal((await store.getBreaker('payments'))?.window_failures, 1, lines.join('\n'));
    assert.equal(await store.getBreaker('stuck'), null);
    assert.ok(lines.some((l) => l.startsWith('warn') && l.includes('stuck')), lines.join('\n'));
  });

  test('past the bound the oldest outcomes are folded into counts, and every failure still counts', { timeout: 30_000 }, async () => {
    const store = await openPostgresStore(db.url);
    closing.push(() => store.close());
    const { keeper, lines } = await keeperOn(store, { failure_threshold: 100_000, minimum_volume: 1, window: 3600 });
    const t0 = Date.now();
    const total = KEPT_MOST * 2 + 7;
    await db.allowConnections(false);
    try {
      for (let i = 0; i < total; i++) keeper.recordSettled(failed(i), 'failure', 'imports', false, new Date(t0 + i));
      await keeper.flush();
      assert.ok(lines.some((l) => l.startsWith('warn') && l.includes('folded')), lines.join('\n'));
    } finally {
      await db.allowConnections(true);
    }
    const written = await waitFor('the outcomes to be written', async () => {
      const b = await store.getBreaker('imports');
      return b && b.window_failures > 0 ? b : null;
    }, 15_000);
    assert.equal(written.window_failures, total);
    assert.equal(written.last_error, `upstream returned 503 (#${total - 1})`);
  });

  // The second time the lost save's error holds a NUL, which PostgreSQL stores cut: the record read back
  // differs in its text, and the save still landed.
  for (const [named, said] of [['', ''], [', its error stored other than sent', '\u0000']]) {
    test(`a write whose answer was lost on the way back is not written again${named}`, { timeout: 30_000 }, async () => {
      const relay = await startTcpRelay(db.url);
      closing.push(() => relay.close());
      const store = await openPostgresStore(relay.url, { migrate: false, engineAnswerMs: 500 });
      await withClient(db.url, (c) => c.query(`DELETE FROM jobs.tb_breaker WHERE service_name = 'reports'`));
      closing.push(() => store.close());
      // Below the threshold: no transition, so the save is one statement under the engine's bound.
      const { keeper } = await keeperOn(store, { failure_threshold: 100, minimum_volume: 1, window: 600 });
      const t0 = Date.now();
      keeper.recordSettled(failed(0), 'failure', 'reports', false, new Date(t0));
      await keeper.flush();
      for (let i = 1; i < 3; i++) keeper.recordSettled(failed(i, said), 'failure', 'reports', false, new Date(t0 + i));
      relay.loseAnswersOnOpenConnections();
      await keeper.flush();
      const landed = await withClient(db.url, async (c) => (await c.query<{ n: number }>(`SELECT window_failures AS n FROM jobs.tb_breaker WHERE service_name = 'reports'`)).rows[0]?.n);
      assert.equal(landed, 3, 'the save ran on the server; only its answer was lost');
      for (let i = 3; i < 5; i++) keeper.recordSettled(failed(i), 'failure', 'reports', false, new Date(t0 + i));
      const written = await waitFor('the later outcomes to be written', async () => {
        await keeper.flush();
        const b = await store.getBreaker('reports');
        return b && b.last_error === 'upstream returned 503 (#4)' ? b : null;
      }, 15_000);
      assert.equal(written.window_failures, 5, 'the three whose answer was lost are not counted twice');
    });
  }
});

async function counts(store: Store): Promise<{ state: string; failures: number; successes: number } | null> {
  const b = await store.getBreaker('billing');
  return b ? { state: b.state, failures: b.window_failures, successes: b.window_successes } : null;
}
