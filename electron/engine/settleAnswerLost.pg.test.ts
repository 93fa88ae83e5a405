import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lineLogger } from '../log/logger.ts';
import { openStore } from '../store/open.ts';
import { openPostgresStore } from '../store/postgres/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { Engine } from './engine.ts';
import { startTcpRelay, type TcpRelay } from './testing/tcpRelay.ts';
import { loadRegistry, tempDir, waitFor } from './testing/harness.ts';

const BREAKER = { failure_threshold: 100, minimum_volume: 1, window: 600, recovery_timeout: 600 };

/**
 * A settle whose transaction commits while its answer is lost on the way back: the settler sends it again,
 * which lands nothing (the jobs are no longer running under their attempts), and the engine still tells the
 * breakers of those jobs' outcomes, once.
 */
describe('a settle whose answer is lost, on PostgreSQL', () => {
  let db: TestDatabase;
  let store: Store;
  let dir: string;
  let cleanupDir: () => Promise<void>;

  before(async () => {
    db = await createTestDatabase({ migrated: true });
    store = await openStore(db.url);
    ({ dir, cleanup: cleanupDir } = await tempDir());
  });

  after(async () => {
    await store.close();
    await db.drop();
    await cleanupDir();
  });

  test('the outcomes of the jobs it recorded reach their breakers exactly once', { timeout: 60_000 }, async () => {
    const { holder } = await loadRegistry(dir, [
      { name: 'flaky', execution_type: 'noop', circuit_breaker: BREAKER, runner_config: { sleep_ms: 0, fail: true, fail_retryable: true, fail_message: 'upstream returned 503' } },
      { name: 'steady', execution_type: 'noop', circuit_breaker: BREAKER, runner_config: { sleep_ms: 0 } },
    ]);
    // Settles alone go through the relay, on one connection opened beforehand: the first one sent is on it,
    // reaches the server and commits, and its answer never comes back.
    const relay: TcpRelay = await startTcpRelay(db.url);
    const settles = await openPostgresStore(relay.url, { migrate: false, poolSize: 1, engineAnswerMs: 500 });
    await settles.getControl();
    let sent = 0;
    const engineStore = storeWith(store, {
      settle(settlements) {
        if (++sent === 1) relay.loseAnswersOnOpenConnections();
        return settles.settle(settlements);
      },
    });
    const lines: string[] = [];
    const engine = new Engine({ store: engineStore, registry: holder, concurrency: 8, leaseMs: 30_000, pollMs: 20, env: {}, log: lineLogger((l) => lines.push(l)) });
    try {
      const failing = Array.from({ length: 3 }, () => ({ queue: 'default', service_name: 'flaky', execution_type: 'noop' as const, max_attempts: 1 }));
      const passing = Array.from({ length: 2 }, () => ({ queue: 'default', service_name: 'steady', execution_type: 'noop' as const, max_attempts: 1 }));
      const ids = (await store.enqueue([...failing, ...passing])).map((r) => r.id);
      await engine.start();
      await waitFor('every job to be recorded', async () => {
        const jobs = await Promise.all(ids.map((id) => store.getJob(id)));
        return jobs.every((j) => j?.status === 'failed' || j?.status === 'completed');
      }, 20_000);
      await waitFor('the settle whose answer was lost to be sent again', () => sent >= 2, 10_000);
      await engine.stop({ graceMs: 0 });

      assert.ok(lines.some((l) => l.includes('could not record results') && l.includes('did not answer')), lines.join('\n'));
      assert.ok(!lines.some((l) => l.includes('was not recorded')), `no result is told as lost: ${lines.filter((l) => l.includes('not recorded')).join('\n')}`);
      for (const id of ids) assert.equal((await store.listAttempts(id)).length, 1, `job ${id} has one attempt, recorded once`);
      const flaky = await store.getBreaker('flaky');
      const steady = await store.getBreaker('steady');
      assert.deepEqual([flaky?.window_failures, flaky?.window_successes, flaky?.state], [3, 0, 'closed'], 'each failure counted once');
      assert.deepEqual([steady?.window_failures, steady?.window_successes], [0, 2], 'each success counted once');
    } finally {
      await engine.stop({ graceMs: 0 });
      await settles.close();
      await relay.close();
    }
  });
});
