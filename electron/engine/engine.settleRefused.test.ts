import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lineLogger } from '../log/logger.ts';
import { createRunners } from '../runners/registry.ts';
import type { Runner } from '../runners/runner.ts';
import { openStore } from '../store/open.ts';
import type { Settlement, Store } from '../store/store.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { storeWith } from '../store/testing/storeWith.ts';
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

/** The runners, with a count of the noop runs that have ended: once all have, their results wait to be settled. */
function countingRunners(): { runners: Map<Runner['kind'], Runner>; ended: () => number } {
  const runners = createRunners();
  const noop = runners.get('noop');
  assert.ok(noop);
  let ended = 0;
  runners.set('noop', {
    kind: 'noop',
    run: async (request) => {
      const result = await noop.run(request);
      ended++;
      return result;
    },
    probe: (...args) => noop.probe(...args),
  });
  return { runners, ended: () => ended };
}

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
      const counting = countingRunners();
      const engine = new Engine({ store, registry: holder, runners: counting.runners, concurrency: 1, leaseMs: 60_000, pollMs: 20, env: {}, log: lineLogger((l) => lines.push(l)) });
      try {
        const first = await enqueueOne(own.store, 'quick', 'noop', 3);
        const second = await enqueueOne(own.store, 'quick', 'noop', 3);
        bad = await enqueueOne(own.store, 'quick', 'noop', 3);
        const fourth = await enqueueOne(own.store, 'quick', 'noop', 3);
        await engine.start();
        await waitFor('every job to have run', () => counting.ended() === 4 && engine.inFlight().length === 0);
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

describe('a store that refuses every result, on SQLite', () => {
  test('is found out at the first result it refuses even as failed: the rest of the batch is let go to the watchdog, not split down to each result', async () => {
    const own = await createSqliteTestStore();
    const { dir, cleanup } = await tempDir();
    const { holder } = await loadRegistry(dir, [{ name: 'quick', execution_type: 'noop', runner_config: { sleep_ms: 0 } }]);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const sent: number[][] = [];
    // As a privilege revoked would: not the store away, and the same for every result.
    const store = storeWith(own.store, {
      settle: async (settlements: Settlement[]) => {
        await released;
        sent.push(settlements.map((s) => s.jobId));
        throw new Error('permission denied for table tb_job_attempt');
      },
    });
    const lines: string[] = [];
    const counting = countingRunners();
    const engine = new Engine({ store, registry: holder, runners: counting.runners, concurrency: 1, leaseMs: 600, pollMs: 20, env: {}, log: lineLogger((l) => lines.push(l)) });
    try {
      const ids: number[] = [];
      for (let n = 0; n < 4; n++) ids.push(await enqueueOne(own.store, 'quick', 'noop', 1));
      await engine.start();
      await waitFor('every job to have run', () => counting.ended() === 4 && engine.inFlight().length === 0);
      release();
      for (const id of ids) {
        const back = await waitForStatus(own.store, id, 'failed', 8000);
        assert.equal(back.attempts, 1);
        assert.deepEqual((await own.store.listAttempts(id)).map((a) => a.outcome), ['lost'], `job ${id}: taken back by the watchdog`);
      }
      // However the results fell into batches, each batch's first result went alone, as itself and as failed,
      // and every other result of the batch was let go with it, never sent alone.
      const letGo = lines
        .filter((l) => l.startsWith('error the store refuses any result of this worker'))
        .flatMap((l) => (/ job_ids=\[([\d,]*)\] /.exec(l)?.[1] ?? '').split(',').map(Number));
      assert.ok(letGo.length > 0, lines.join('\n'));
      const alone = (id: number) => sent.filter((batch) => batch.length === 1 && batch[0] === id).length;
      for (const id of ids) assert.equal(alone(id), letGo.includes(id) ? 0 : 2, `job ${id}: ${JSON.stringify(sent)}`);
    } finally {
      release();
      await engine.stop({ graceMs: 0 });
      await own.cleanup();
      await cleanup();
    }
  });
});
