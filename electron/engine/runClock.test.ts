import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRunners } from '../runners/registry.ts';
import type { Runner } from '../runners/runner.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { Engine } from './engine.ts';
import type { SettledResult } from './engineEvents.ts';
import { enqueueOne, jobOf, loadRegistry, tempDir } from './testing/harness.ts';

/**
 * The worker's wall clock steps while a job runs (an NTP step, a resume from sleep). How long the job ran
 * is read on a steady clock, so its result lands completed, timed by its run: a step back once made the
 * run's length negative, the store refused the settle, and the completed job was dead-lettered, its
 * output lost; a step forward added the step to its duration.
 */

/** How long the job runs. */
const RUN_MS = 300;
/** Above what a 300 ms run takes to run and settle on a busy machine. */
const SLACK_MS = 1500;

interface OpenedStore {
  store: Store;
  /** Whether the store dates what it writes by this process's clock (SQLite), which the step moves too. */
  sharesClock: boolean;
  cleanup(): Promise<void>;
}

const dialects: Array<[string, () => Promise<OpenedStore>]> = [
  ['SQLite', async () => ({ ...(await createSqliteTestStore()), sharesClock: true })],
  [
    'PostgreSQL',
    async () => {
      const db = await createTestDatabase({ migrated: true });
      const store = await openStore(db.url);
      return {
        store,
        sharesClock: false,
        async cleanup() {
          await store.close();
          await db.drop();
        },
      };
    },
  ],
];

/** The noop runner, whose run steps this process's wall clock by `stepMs` once it has started, and leaves it stepped. */
function steppingRunners(stepMs: number, realNow: () => number): Map<Runner['kind'], Runner> {
  const runners = createRunners();
  const noop = runners.get('noop');
  assert.ok(noop);
  runners.set('noop', {
    kind: 'noop',
    run: (request) => {
      Date.now = () => realNow() + stepMs;
      return noop.run(request);
    },
    probe: (...args) => noop.probe(...args),
  });
  return runners;
}

for (const [dialect, open] of dialects) {
  describe(`a step of the worker's wall clock while a job runs, on ${dialect}`, () => {
    let dir: string;
    let cleanupDir: () => Promise<void>;

    before(async () => {
      ({ dir, cleanup: cleanupDir } = await tempDir());
    });

    after(async () => {
      await cleanupDir();
    });

    for (const [how, stepMs] of [['back 5 s', -5000], ['forward a minute', 60_000]] as const) {
      test(`${how}: the job completes, timed by how long it ran`, async () => {
        const own = await open();
        const { holder } = await loadRegistry(dir, [{ name: 'stepped', execution_type: 'noop', runner_config: { sleep_ms: RUN_MS } }]);
        const realNow = Date.now;
        const engine = new Engine({ store: own.store, registry: holder, runners: steppingRunners(stepMs, realNow), concurrency: 1, leaseMs: 60_000, pollMs: 20, env: {}, schedules: false, maintenance: false });
        // Waited for by the engine's word, not by polling: a wait timed by the stepped clock would misjudge its own deadline.
        const settled = new Promise<SettledResult>((resolve) => {
          engine.on('settled', ({ results }) => {
            const result = results.find((r) => r.service === 'stepped');
            if (result) resolve(result);
          });
        });
        try {
          const id = await enqueueOne(own.store, 'stepped', 'noop', 3);
          await engine.start();
          const result = await settled;
          Date.now = realNow;
          assert.equal(result.kind, 'completed');
          const seconds = result.seconds ?? Number.NaN;
          // A timer may fire up to a millisecond before the steady clock says its time is up (libuv counts whole milliseconds).
          assert.ok(seconds * 1000 >= RUN_MS - 2 && seconds * 1000 < RUN_MS + SLACK_MS, `it ran ${RUN_MS} ms, measured as ${seconds} s`);

          const job = await jobOf(own.store, id);
          assert.deepEqual([job.status, job.attempts, job.error_message], ['completed', 1, null], 'completed, not dead-lettered');
          const attempts = await own.store.listAttempts(id);
          assert.deepEqual(attempts.map((a) => [a.outcome, a.error_class]), [['completed', null]]);
          // The store's own clock stepped with the worker's on SQLite, dating the completion itself: there only the
          // outcome is the worker's to get right.
          if (!own.sharesClock) {
            const took = Date.parse(job.completed_at ?? '') - Date.parse(job.started_at ?? '');
            assert.ok(took >= RUN_MS && took < RUN_MS + SLACK_MS, `the job took ${took} ms`);
          }
        } finally {
          Date.now = realNow;
          await engine.stop({ graceMs: 0 });
          await own.cleanup();
        }
      });
    }
  });
}
