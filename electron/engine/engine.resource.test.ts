import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createRunners } from '../runners/registry.ts';
import type { Store } from '../store/store.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { Engine } from './engine.ts';
import { enqueueOne, loadRegistry, tempDir, waitForStatus } from './testing/harness.ts';

/** A started worker on a fresh SQLite store whose registry holds one shell service, made in a folder of its own. */
interface ShellWorker {
  store: Store;
  path: string;
  cleanup(): Promise<void>;
}

async function shellWorker(service: (dir: string) => Record<string, unknown>): Promise<ShellWorker> {
  const db = await createSqliteTestStore();
  const tmp = await tempDir();
  const { holder } = await loadRegistry(tmp.dir, [service(tmp.dir)]);
  const engine = new Engine({ store: db.store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 1, leaseMs: 5000, pollMs: 20, env: { PATH: process.env.PATH } });
  await engine.start();
  return {
    store: db.store,
    path: db.path,
    async cleanup() {
      await engine.stop({ graceMs: 0 });
      await db.cleanup();
      await tmp.cleanup();
    },
  };
}

/** A job its CPU limit killed is found the way the runbook looks for it, and by jobs --search resource. */
describe('engine: a CPU-limit kill', () => {
  let worker: ShellWorker;

  before(async () => {
    worker = await shellWorker((dir) => ({
      name: 'spinner',
      execution_type: 'shell',
      runner_config: { command: ['/bin/sh', '-c', 'while :; do :; done'], working_directory: dir },
      security_policy: { allowed_commands: ['/bin/sh'], allowed_roots: [dir], resource_limits: { cpu_seconds: 1 } },
    }));
  });

  after(async () => {
    await worker.cleanup();
  });

  test('fails with class resource_limit, a message that says resource, and the runbook query finds it', async () => {
    const { store, path } = worker;
    const id = await enqueueOne(store, 'spinner', 'shell', 3);
    const job = await waitForStatus(store, id, 'failed', 20_000);
    assert.match(job.error_message ?? '', /resource limit exceeded/);
    const [attempt] = await store.listAttempts(id);
    assert.equal(attempt?.error_class, 'resource_limit');
    assert.deepEqual((await store.listJobs({ search: 'resource' }, { limit: 10 })).items.map((j) => j.id), [id]);
    assert.deepEqual((await store.listJobs({ error_class: 'resource_limit' }, { limit: 10 })).items.map((j) => j.id), [id], 'jobs --class resource_limit');
    const raw = new Database(path, { readonly: true });
    try {
      // Runbook 000's resource query, on SQLite's unqualified table.
      const rows = raw.prepare(`SELECT identifier, resource_usage FROM tb_job_run WHERE status = 'failed' AND error_message LIKE '%resource%' ORDER BY created_at DESC`).all();
      assert.equal(rows.length, 1);
    } finally {
      raw.close();
    }
  });
});

/**
 * The runbook's advice (memory_mb: 256 on a node service) caps node's address space below what it reserves
 * to start: every job dies at once. It fails once as resource_limit, is found by its class, and says
 * nothing against the service's health.
 */
describe('engine: node under a memory limit it cannot start in', () => {
  let worker: ShellWorker;

  before(async () => {
    worker = await shellWorker((dir) => ({
      name: 'greeter',
      execution_type: 'shell',
      runner_config: { command: [process.execPath, '-e', "console.log('hi')"], working_directory: dir },
      security_policy: { allowed_commands: [process.execPath], allowed_roots: [dir], resource_limits: { memory_mb: 256 } },
      retry_config: { max_retries: 3, initial_backoff: 0.01 },
    }));
  });

  after(async () => {
    await worker.cleanup();
  });

  test('fails at its first attempt as resource_limit naming the limit, is found by --class, and the breaker counts nothing', async () => {
    const { store } = worker;
    const id = await enqueueOne(store, 'greeter', 'shell', 4);
    const job = await waitForStatus(store, id, 'failed', 20_000);
    assert.match(job.error_message ?? '', /^resource limit exceeded: ran out of its memory limit of 256 MB \(/);
    const attempts = await store.listAttempts(id);
    assert.deepEqual(attempts.map((a) => a.error_class), ['resource_limit'], 'not retried');
    assert.deepEqual((await store.listJobs({ error_class: 'resource_limit' }, { limit: 10 })).items.map((j) => j.id), [id], 'jobs --class resource_limit');
    const breaker = await store.getBreaker('greeter');
    assert.equal((breaker?.window_failures ?? 0) + (breaker?.prev_failures ?? 0), 0);
  });
});
