import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lineLogger } from '../log/logger.ts';
import { StoreError, StoreInputError } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { Engine, type EngineOptions } from './engine.ts';
import { loadRegistry, tempDir, waitFor } from './testing/harness.ts';
import { delay } from './waits.ts';

const deadlock = () => new StoreError('unavailable', 'PostgreSQL rolled back a statement: deadlock detected', 'try again', { transient: true });

/**
 * When a worker counts its store as lost (StoreContact), and what that holds up: only the store being
 * unavailable loses it, and only while it is lost, or what the worker held is landing, does it claim nothing.
 */
describe('a worker that loses its store, on SQLite', () => {
  let store: Store;
  let cleanupStore: () => Promise<void>;
  let dir: string;
  let cleanupDir: () => Promise<void>;
  const engines: Engine[] = [];

  before(async () => {
    ({ store, cleanup: cleanupStore } = await createSqliteTestStore());
    ({ dir, cleanup: cleanupDir } = await tempDir());
  });

  /** Each test's engine stops with it: the next one's timings are its own. */
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop({ graceMs: 0 })));
  });

  after(async () => {
    await cleanupStore();
    await cleanupDir();
  });

  async function startEngine(engineStore: Store, opts: Partial<EngineOptions>): Promise<{ engine: Engine; lines: string[] }> {
    const { holder } = await loadRegistry(dir, [{ name: 'quick', execution_type: 'noop', runner_config: {} }]);
    const lines: string[] = [];
    const engine = new Engine({ store: engineStore, registry: holder, env: {}, log: lineLogger((l) => lines.push(l), 'info'), ...opts });
    engines.push(engine);
    await engine.start();
    return { engine, lines };
  }

  /** `count` jobs of `sleepMs` each in `queue`. */
  async function enqueue(queue: string, count: number, sleepMs: number): Promise<number[]> {
    const jobs = await store.enqueue(Array.from({ length: count }, () => ({ queue, service_name: 'quick', execution_type: 'noop' as const, max_attempts: 1, payload: { sleep_ms: sleepMs } })));
    return jobs.map((j) => j.id);
  }

  /** Claims sent, by when (performance.now()). */
  function claimsOf(claims: number[]): Partial<Store> {
    return {
      claim: (request) => {
        claims.push(performance.now());
        return store.claim(request);
      },
    };
  }

  /** The longest wait between claims sent after `from`, the wait from `from` to the first of them included. */
  function longestGapAfter(claims: number[], from: number): number {
    const after = [from, ...claims.filter((t) => t > from)];
    return Math.max(...after.slice(1).map((t, i) => t - (after[i] ?? 0)));
  }

  test('a heartbeat the store refuses for what it carries is no outage: the watchdog takes back a dead worker\'s expired lease on time, and nothing says the store answers again', { timeout: 30_000 }, async () => {
    const refusing = storeWith(store, {
      heartbeat: () => Promise.reject(new StoreInputError('the store refuses this heartbeat (a bug, not an outage)')),
    });
    const { lines } = await startEngine(refusing, { workerId: 'refused', queues: ['refused'], leaseMs: 1000 });
    await waitFor('a heartbeat to be refused', () => lines.some((l) => l.startsWith('error heartbeat failed')), 5000);
    const [job] = await enqueue('gone', 1, 0);
    assert.ok(job);
    assert.equal((await store.claim({ workerId: 'gone-worker', limit: 1, leaseMs: 100, queues: ['gone'] })).length, 1);
    // The watchdog looks every half lease.
    await waitFor("the dead worker's job to be taken back", async () => (await store.listAttempts(job))[0]?.outcome === 'lost', 3000);
    assert.deepEqual(lines.filter((l) => l.includes('the store answers again')), []);
  });

  for (const failures of [1, 3]) {
    test(`${failures} failed settle(s) on a store that answers otherwise hold up no claim: the results wait for the settler's retry while the worker goes on`, { timeout: 30_000 }, async () => {
      const claims: number[] = [];
      let settles = 0;
      let failedAt = 0;
      const flaky = storeWith(store, {
        ...claimsOf(claims),
        settle: (settlements) => {
          settles++;
          if (settles >= 3 && settles < 3 + failures) {
            failedAt ||= performance.now();
            return Promise.reject(deadlock());
          }
          return store.settle(settlements);
        },
      });
      const queue = `settles-${failures}`;
      // 100 ms jobs one at a time: a claim every 100 ms or so.
      const jobs = await enqueue(queue, 60, 100);
      await startEngine(flaky, { queues: [queue], concurrency: 1 });
      await waitFor('the failed settles to be retried', () => failedAt > 0 && settles >= 3 + failures + 1, 15_000);
      await delay(300);
      // Its retries back off 0.5 s, 1 s, 2 s: each was a stall of the claims.
      const gap = longestGapAfter(claims, failedAt);
      assert.ok(gap < 400, `claims stopped for ${Math.round(gap)} ms beside the failed settles`);
      await waitFor('every job to complete', async () => (await Promise.all(jobs.map((id) => store.getJob(id)))).every((j) => j?.status === 'completed'), 15_000);
    });
  }

  test('a single extension that goes unanswered holds up claims only until the store answers again, not until the next extension', { timeout: 40_000 }, async () => {
    const claims: number[] = [];
    let hungAt = 0;
    const flaky = storeWith(store, {
      ...claimsOf(claims),
      extendLeases: (workerId, jobIds, leaseMs) => {
        if (hungAt > 0) return store.extendLeases(workerId, jobIds, leaseMs);
        hungAt = performance.now();
        return new Promise<number[]>(() => undefined);
      },
    });
    await enqueue('unanswered', 1, 60_000);
    await enqueue('unanswered', 300, 100);
    // Extended every 5 s: the unanswered one gives up after 5 s, the next extension is 5 s later still;
    // a heartbeat goes every 2 s.
    await startEngine(flaky, { queues: ['unanswered'], concurrency: 2, leaseMs: 15_000, pollMs: 20 });
    await waitFor('an extension to go unanswered', () => hungAt > 0, 10_000);
    await delay(8000);
    const gap = longestGapAfter(claims, hungAt);
    assert.ok(gap < 3000, `claims stopped for ${Math.round(gap)} ms after one unanswered extension`);
  });
});
