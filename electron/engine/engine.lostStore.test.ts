import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lineLogger } from '../log/logger.ts';
import { StoreInputError } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { Engine, type EngineOptions } from './engine.ts';
import { loadRegistry, tempDir, waitFor } from './testing/harness.ts';

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

});
