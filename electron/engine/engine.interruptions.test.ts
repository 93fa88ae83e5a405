import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lineLogger } from '../log/logger.ts';
import { createRunners } from '../runners/registry.ts';
import { StoreError } from '../store/errors.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { FREE_LEASE_INTERRUPTIONS } from './classify.ts';
import { Engine } from './engine.ts';
import { enqueueOne, loadRegistry, tempDir, waitFor, waitForStatus } from './testing/harness.ts';

interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
}

const dialects: Array<[string, () => Promise<OpenedStore>]> = [
  ['SQLite', createSqliteTestStore],
  [
    'PostgreSQL',
    async () => {
      const db = await createTestDatabase({ migrated: true });
      const store = await openStore(db.url);
      return {
        store,
        async cleanup() {
          await store.close();
          await db.drop();
        },
      };
    },
  ],
];

/**
 * A job its worker stops because the store does not confirm its lease gives its attempt back; one stopped so
 * again and again must still end, in the dead-letter queue, not run and stop for ever.
 */
for (const [dialect, open] of dialects) {
  describe(`a job interrupted by lost leases again and again, on ${dialect}`, () => {
    let dir: string;
    let cleanupDir: () => Promise<void>;

    before(async () => {
      ({ dir, cleanup: cleanupDir } = await tempDir());
    });

    after(async () => {
      await cleanupDir();
    });

    test(`spends an attempt past ${FREE_LEASE_INTERRUPTIONS} such interruptions, and with none left is dead-lettered saying why`, async () => {
      const own = await open();
      const { holder } = await loadRegistry(dir, [{ name: 'slow', execution_type: 'noop', runner_config: {} }]);
      // max_attempts 1: an interruption that gave its attempt back would leave it pending.
      const id = await enqueueOne(own.store, 'slow', 'noop', 1, { sleep_ms: 60_000 });
      // Its free interruptions used up by earlier workers that lost the store, each recorded as such.
      for (let n = 0; n < FREE_LEASE_INTERRUPTIONS; n++) {
        const [claimed] = await own.store.claim({ workerId: 'earlier', limit: 1, leaseMs: 60_000 });
        assert.ok(claimed?.id === id);
        const reason = 'its worker lost the store and stopped it';
        assert.deepEqual(await own.store.settle([{ jobId: id, attemptId: claimed.attempt_id, workerId: 'earlier', kind: 'interrupted', reason, ran: true, lease_unconfirmed: true }]), [id]);
      }
      let confirming = true;
      const extend = own.store.extendLeases.bind(own.store);
      own.store.extendLeases = async (workerId, jobIds, ms) => {
        if (confirming) return extend(workerId, jobIds, ms);
        throw new StoreError('unreachable', 'cannot reach the store: connection refused', 'is the server running?', { transient: true });
      };
      const lines: string[] = [];
      const engine = new Engine({ store: own.store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 1, leaseMs: 1500, pollMs: 20, env: {}, log: lineLogger((l) => lines.push(l)) });
      try {
        await engine.start();
        await waitForStatus(own.store, id, 'running');
        await waitFor('the job to run here', () => engine.inFlight().some((j) => j.jobId === id));
        confirming = false;
        const dead = await waitForStatus(own.store, id, 'failed', 8000);
        const times = FREE_LEASE_INTERRUPTIONS + 1;
        assert.match(dead.error_message ?? '', new RegExp(`^its worker lost the store \\(no lease extension confirmed for \\d+ s\\) and stopped it: interrupted ${times} times by lost leases or store outages, and past ${FREE_LEASE_INTERRUPTIONS} each one spends an attempt$`));
        assert.equal(dead.attempts, 1);
        const attempts = await own.store.listAttempts(id);
        assert.deepEqual(attempts.map((a) => a.outcome), [...Array.from({ length: FREE_LEASE_INTERRUPTIONS }, () => 'interrupted'), 'failed']);
        assert.equal(attempts.at(-1)?.error_class, 'lease_unconfirmed');
        assert.ok(lines.some((l) => l.startsWith('error job failed: moved to the dead-letter queue') && l.includes(` job_id=${id} `) && l.includes('error_class=lease_unconfirmed')), lines.join('\n'));
      } finally {
        await engine.stop({ graceMs: 0 });
        await own.cleanup();
      }
    });
  });
}
