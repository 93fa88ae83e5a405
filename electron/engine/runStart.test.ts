import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { percentileOf } from '../../shared/latencyBuckets.ts';
import { RegistryHolder } from '../config/holder.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { Engine } from './engine.ts';
import { actor, enqueueOne, jobOf, tempDir, waitFor, waitForStatus } from './testing/harness.ts';
import { startWorkflowRun } from './workflowStart.ts';

/**
 * A worker with one slot, trusting its jobs are short, claims jobs ahead of it while a long job holds the
 * slot: they wait in its buffer, leased and shown running, for over a second before their ~50 ms programs
 * run. Every figure of how long they took is the run's, not the wait: each attempt, each job, the rollups'
 * sums and latency buckets, and a workflow task's time.
 */

/** How long the jobs claimed ahead wait for the slot, at least. */
const WAIT_MS = 1200;
/** Above what a ~50 ms program takes on a busy machine, well below the wait. */
const RUN_MOST_MS = 600;

/** The completions of a service and the sum of their durations, as the rollups keep them. */
type RollupSums = (service: string) => Promise<{ completed: number; duration_ms: number }>;

async function storeWithSums(kind: 'sqlite' | 'postgres'): Promise<{ store: Store; sums: RollupSums; cleanup(): Promise<void> }> {
  const sql = (schema: string) => `SELECT coalesce(sum(completed), 0) AS completed, coalesce(sum(duration_ms), 0) AS duration_ms FROM ${schema}tb_job_rollup WHERE service_name = `;
  const numbers = (row: { completed?: unknown; duration_ms?: unknown } | undefined) => ({ completed: Number(row?.completed), duration_ms: Number(row?.duration_ms) });
  if (kind === 'sqlite') {
    const made = await createSqliteTestStore();
    const raw = new Database(made.path, { readonly: true });
    const read = raw.prepare<[string], { completed: number; duration_ms: number }>(`${sql('')}?`);
    return { store: made.store, sums: async (service) => numbers(read.get(service)), cleanup: async () => (raw.close(), await made.cleanup()) };
  }
  const db = await createTestDatabase({ migrated: true });
  const store = await openStore(db.url);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  return {
    store,
    sums: async (service) => numbers((await client.query<{ completed: string; duration_ms: string }>(`${sql('jobs.')}$1`, [service])).rows[0]),
    async cleanup() {
      await client.end();
      await store.close();
      await db.drop();
    },
  };
}

function registry(gate: string) {
  return {
    services: [
      { name: 'quick', execution_type: 'noop' },
      {
        name: 'slow',
        execution_type: 'shell',
        runner_config: { command: ['/bin/sh', '-c', `until [ -e '${gate}' ]; do sleep 0.02; done`] },
        security_policy: { allowed_commands: ['/bin/sh'] },
      },
      { name: 'brief', execution_type: 'shell', runner_config: { command: ['/bin/sleep', '0.05'] }, security_policy: { allowed_commands: ['/bin/sleep'] } },
    ],
    workflows: [{ name: 'nightly', tasks: [{ name: 'load', service: 'brief' }] }],
  };
}

const span = (from: string | null, to: string | null) => Date.parse(to ?? '') - Date.parse(from ?? '');

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`jobs claimed ahead of a free slot are timed from their run, not their claim (${kind})`, () => {
    let cleanups: Array<() => Promise<unknown>>;
    let store: Store;
    let sums: RollupSums;
    let gate: string;
    let holder: RegistryHolder;
    let engine: Engine;

    beforeEach(async () => {
      cleanups = [];
      const temp = await tempDir();
      cleanups.push(() => temp.cleanup());
      const made = await storeWithSums(kind);
      ({ store, sums } = made);
      cleanups.push(() => made.cleanup());
      gate = path.join(temp.dir, 'slow-may-end');
      holder = new RegistryHolder({});
      const loaded = holder.loadText(JSON.stringify(registry(gate)));
      assert.ok(loaded.ok, JSON.stringify(loaded));
      engine = new Engine({ store, registry: holder, concurrency: 1, env: { PATH: process.env.PATH }, pollMs: 20, schedules: false, maintenance: false });
      cleanups.push(() => engine.stop({ graceMs: 0 }), () => writeFile(gate, ''));
    });

    afterEach(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    test('each attempt, each job, the rollups and the workflow task took the ~50 ms their program ran', async () => {
      await engine.start();
      // Short runs first, so the worker claims ahead of its one slot.
      const quick: number[] = [];
      for (let i = 0; i < 20; i++) quick.push(await enqueueOne(store, 'quick', 'noop', 1));
      for (const id of quick) await waitForStatus(store, id, 'completed');
      const since = new Date(Date.now() - 60_000);

      const slow = await enqueueOne(store, 'slow', 'shell', 1);
      await waitForStatus(store, slow, 'running');
      const brief = await store.enqueue([1, 2, 3].map(() => ({ queue: 'default', service_name: 'brief', execution_type: 'shell' as const, max_attempts: 1, payload: {} })));
      const { run_id: runId } = await startWorkflowRun(store, holder.registry, 'nightly', {}, actor, 'nightly-1');
      const task = (await store.getWorkflowRun(runId))?.tasks[0];
      assert.ok(task);
      const ahead = [...brief.map((b) => b.id), task.job_id];
      await waitFor('every brief job claimed ahead, waiting behind the slow one', async () => {
        const jobs = await Promise.all(ahead.map((id) => jobOf(store, id)));
        return jobs.every((j) => j.status === 'running' && j.lease_owner === engine.workerId);
      });
      await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
      assert.equal((await jobOf(store, slow)).status, 'running', 'the slot still held: they waited');
      const freedAt = Date.now();
      await writeFile(gate, '');
      for (const id of ahead) await waitForStatus(store, id, 'completed');

      for (const id of ahead) {
        const job = await jobOf(store, id);
        const took = span(job.started_at, job.completed_at);
        assert.ok(took >= 45 && took < RUN_MOST_MS, `job ${id} took ${took} ms, its run, not its ${WAIT_MS} ms wait for the slot`);
        assert.ok(Date.parse(job.started_at ?? '') >= freedAt - 50, `job ${id} started ${job.started_at}, once the slot freed at ${new Date(freedAt).toISOString()}`);
        const [attempt] = await store.listAttempts(id);
        assert.ok(attempt);
        assert.equal(attempt.started_at, job.started_at, `job ${id}: its attempt started with its run`);
        assert.equal(span(attempt.started_at, attempt.finished_at), took, `job ${id}: its attempt took what the job did`);
      }
      const load = (await store.getWorkflowRun(runId))?.tasks.find((t) => t.name === 'load');
      assert.ok(load);
      const taskTook = span(load.started_at, load.completed_at);
      assert.ok(taskTook >= 45 && taskTook < RUN_MOST_MS, `the workflow task took ${taskTook} ms`);

      const rolled = await sums('brief');
      assert.equal(rolled.completed, 4);
      assert.ok(rolled.duration_ms >= 4 * 45 && rolled.duration_ms < 4 * RUN_MOST_MS, `the rollups sum ${rolled.duration_ms} ms for 4 runs`);
      const buckets = new Map<number, number>();
      for (const l of (await store.rollupsByService(since, 'brief')).latency) buckets.set(l.bucket, (buckets.get(l.bucket) ?? 0) + l.n);
      const p95 = percentileOf(buckets, 0.95) ?? Infinity;
      assert.ok(p95 < RUN_MOST_MS, `brief's p95 is ${p95} ms`);
    });
  });
}
