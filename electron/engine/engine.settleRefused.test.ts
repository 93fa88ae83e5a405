import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lineLogger } from '../log/logger.ts';
import { openStore } from '../store/open.ts';
import type { Settlement, Store } from '../store/store.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { Engine } from './engine.ts';
import { enqueueOne, jobOf, loadRegistry, tempDir, waitFor, waitForStatus } from './testing/harness.ts';

interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
}

const dialects: Array<[string, () => Promise<OpenedStore>]> = [
  ['SQLite', createSqliteTestStore],
  [
    'PostgreSQL',
    async () => {
      const db = await createTestDatabase();
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
 * A settle the store refuses for a reason no retry changes (here its own check of a settlement's input,
 * as a constraint would): the results beside the refused one land, and the refused one is dead-lettered
 * with the store's words rather than held, and its batch with it, until a watchdog spends their attempts.
 */
for (const [dialect, open] of dialects) {
  describe(`a result the store refuses, on ${dialect}`, () => {
    let dir: string;
    let cleanupDir: () => Promise<void>;

    before(async () => {
      ({ dir, cleanup: cleanupDir } = await tempDir());
    });

    after(async () => {
      await cleanupDir();
    });

    test('holds up none of the results settled with it, and is dead-lettered with the store\'s error', async () => {
      const own = await open();
      const { holder } = await loadRegistry(dir, [{ name: 'quick', execution_type: 'noop', runner_config: { sleep_ms: 0 } }]);
      let bad = 0;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const batches: Array<{ jobs: number[]; failed: boolean }> = [];
      const store = storeWith(own.store, {
        settle: async (settlements: Settlement[]) => {
          // The first settle waits until every job has run, so the rest go together in the next.
          await released;
          // The bad job's result carries a value the store refuses (its own input check, before any write).
          const sent = settlements.map((s) => (s.jobId === bad && s.kind === 'completed' ? { ...s, ended_at: 'not a date' } : s));
          const batch = { jobs: settlements.map((s) => s.jobId), failed: false };
          batches.push(batch);
          try {
            return await own.store.settle(sent);
          } catch (error) {
            batch.failed = true;
            throw error;
          }
        },
      });
      const lines: string[] = [];
      // One at a time: the first result's settle is held while the others finish, in the order enqueued.
      const engine = new Engine({ store, registry: holder, concurrency: 1, leaseMs: 60_000, pollMs: 20, env: {}, log: lineLogger((l) => lines.push(l)) });
      try {
        const first = await enqueueOne(own.store, 'quick', 'noop', 3);
        const second = await enqueueOne(own.store, 'quick', 'noop', 3);
        bad = await enqueueOne(own.store, 'quick', 'noop', 3);
        const fourth = await enqueueOne(own.store, 'quick', 'noop', 3);
        await engine.start();
        await waitFor('every job to have run', async () => {
          const jobs = await Promise.all([first, second, bad, fourth].map((id) => jobOf(own.store, id)));
          return jobs.every((j) => j.status === 'running') && engine.inFlight().length === 0;
        });
        release();
        for (const id of [first, second, fourth]) await waitForStatus(own.store, id, 'completed', 5000);
        const dead = await waitForStatus(own.store, bad, 'failed', 5000);
        assert.ok(batches.some((b) => b.failed && b.jobs.includes(bad) && b.jobs.length > 1), `refused with others in one batch: ${JSON.stringify(batches)}`);
        assert.match(dead.error_message ?? '', /^the store refused to record this attempt's result \(completed\), so it is recorded as failed without its output: ended_at "not a date" is not a /);
        assert.equal(dead.attempts, 1, 'dead-lettered at once: no retry would land it');
        const attempts = await own.store.listAttempts(bad);
        assert.deepEqual(attempts.map((a) => [a.outcome, a.error_class]), [['failed', 'settle_refused']]);
        const said = lines.find((l) => l.startsWith('error the store refused to record a result') && l.includes(` job_id=${bad} `));
        assert.ok(said, lines.join('\n'));
        assert.match(said, /error="ended_at \\"not a date\\" is not a /);
        assert.ok(!lines.some((l) => l.includes('could not record results; retrying')), 'a refusal is not retried as an outage is');
      } finally {
        release();
        await engine.stop({ graceMs: 0 });
        await own.cleanup();
      }
    });
  });
}
