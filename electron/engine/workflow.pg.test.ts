import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RegistryHolder } from '../config/holder.ts';
import { createRunners } from '../runners/registry.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import type { TestDatabase } from '../store/testing/pgTestDb.ts';
import { Engine } from './engine.ts';
import { actor, tempDir, waitFor } from './testing/harness.ts';
import { startWorkflowRun } from './workflowStart.ts';
import type { WorkflowRunStarted } from '../store/workflowTypes.ts';

/**
 * Workflows on PostgreSQL with two real workers, each with its own connection pool: eight middle tasks
 * finish on either worker at nearly the same time, and the task that joins them must still be released
 * exactly once (the run's lock serialises the two settles that complete its last upstreams). A gated task
 * fails until its gate file exists, blocks what follows, and a retry of the run resumes from it alone.
 */
describe('workflows on PostgreSQL with two workers', () => {
  let db: TestDatabase;
  let dir: string;
  let cleanupDir: () => Promise<void>;
  const stores: Store[] = [];
  const engines: Engine[] = [];

  before(async () => {
    db = await createTestDatabase({ migrated: true });
    ({ dir, cleanup: cleanupDir } = await tempDir());
  });

  after(async () => {
    await Promise.all(engines.map((e) => e.stop({ graceMs: 0 })));
    for (const s of stores) await s.close();
    await db.drop();
    await cleanupDir();
  });

  test('a fan-out and join runs each task once across both workers; a failed task blocks, then a retry finishes every run', async () => {
    const gate = path.join(dir, 'gate');
    const middle = Array.from({ length: 8 }, (_, i) => `m${i + 1}`);
    const registry = {
      services: [
        { name: 'quick', execution_type: 'noop', runner_config: { sleep_ms: 40 } },
        {
          name: 'gated',
          execution_type: 'shell',
          runner_config: { command: ['/usr/bin/test', '-e', gate] },
          security_policy: { allowed_commands: ['/usr/bin/test'] },
          retry_config: { max_retries: 0 },
        },
      ],
      workflows: [
        {
          name: 'fan',
          tasks: [
            { name: 'root', service: 'quick' },
            ...middle.map((name) => ({ name, service: 'quick', depends_on: ['root'] })),
            { name: 'join', service: 'quick', depends_on: middle },
            { name: 'check', service: 'gated', depends_on: ['join'] },
            { name: 'final', service: 'quick', depends_on: ['check'] },
          ],
        },
      ],
    };
    const file = path.join(dir, 'registry.yaml');
    await writeFile(file, JSON.stringify(registry));
    const holder = new RegistryHolder({});
    const loaded = await holder.loadFile(file);
    assert.ok(loaded.ok, JSON.stringify(loaded.problems));

    const control = await openStore(db.url);
    stores.push(control);
    const runs: WorkflowRunStarted[] = [];
    for (let i = 0; i < 4; i++) runs.push(await startWorkflowRun(control, holder.registry, 'fan', { n: i }, actor, `fan-${i}`));
    assert.ok(runs.every((r) => r.created));

    for (const workerId of ['worker-a', 'worker-b']) {
      const store = await openStore(db.url);
      stores.push(store);
      const engine = new Engine({ store, registry: holder, runners: createRunners({ killGraceMs: 300 }), workerId, concurrency: 4, leaseMs: 5000, pollMs: 20, env: { PATH: process.env.PATH } });
      engines.push(engine);
      await engine.start();
    }

    const statusOf = async (id: number) => (await control.getWorkflowRun(id))?.run.status;
    await waitFor('every run to fail at its gated task', async () => (await Promise.all(runs.map((r) => statusOf(r.run_id)))).every((s) => s === 'failed'), 30_000);
    for (const r of runs) {
      const detail = await control.getWorkflowRun(r.run_id);
      const states = Object.fromEntries((detail?.tasks ?? []).map((t) => [t.name, t.status]));
      assert.equal(states.check, 'failed');
      assert.equal(states.final, 'blocked');
      assert.equal(states.join, 'completed');
    }

    await writeFile(gate, '');
    for (const r of runs) assert.equal((await control.retryWorkflowRun(r.run_id, actor))?.retried.length, 1);
    await waitFor('every run to complete after the retry', async () => (await Promise.all(runs.map((r) => statusOf(r.run_id)))).every((s) => s === 'completed'), 30_000);

    const workers = new Set<string>();
    for (const r of runs) {
      const detail = await control.getWorkflowRun(r.run_id);
      assert.ok(detail);
      for (const task of detail.tasks) {
        const attempts = await control.listAttempts(task.job_id);
        // The join and everything before it ran once: the run resumed from the failed task, not from the start.
        assert.equal(attempts.length, task.name === 'check' ? 2 : 1, `${r.identifier}/${task.name} ran ${attempts.length} time(s)`);
        for (const a of attempts) workers.add(a.worker_id);
      }
    }
    assert.deepEqual([...workers].sort(), ['worker-a', 'worker-b'], 'both workers ran tasks');
    assert.deepEqual(await control.checkCounts(false), []);
  });
});
