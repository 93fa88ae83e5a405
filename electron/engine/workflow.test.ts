import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RegistryHolder } from '../config/holder.ts';
import { createRunners } from '../runners/registry.ts';
import type { Store } from '../store/store.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { Engine } from './engine.ts';
import { actor, tempDir, waitFor } from './testing/harness.ts';
import { startWorkflowRun } from './workflowStart.ts';

/**
 * Workflows through a real engine on SQLite, with real shell jobs: what an upstream prints reaches its
 * dependent's payload, with the service's secrets taken out; the emergency stop holds workflow tasks
 * like any job, and the run goes on once it is released.
 */
describe('workflows through the engine on SQLite', () => {
  let store: Store;
  let cleanupStore: () => Promise<void>;
  let dir: string;
  let cleanupDir: () => Promise<void>;
  let engine: Engine | null = null;

  before(async () => {
    ({ store, cleanup: cleanupStore } = await createSqliteTestStore());
    ({ dir, cleanup: cleanupDir } = await tempDir());
  });

  after(async () => {
    await engine?.stop({ graceMs: 0 });
    await cleanupStore();
    await cleanupDir();
  });

  test('an upstream passes its output, secrets taken out; the emergency stop holds the run until it is released', async () => {
    const registry = {
      services: [
        {
          name: 'emit',
          execution_type: 'shell',
          runner_config: { command: ['/bin/sh', '-c', 'echo "{\\"rows\\": 42}"'] },
          security_policy: { allowed_commands: ['/bin/sh'] },
        },
        {
          name: 'leaky',
          execution_type: 'shell',
          runner_config: { command: ['/usr/bin/printenv', 'API_TOKEN'], env: ['API_TOKEN'] },
          security_policy: { allowed_commands: ['/usr/bin/printenv'] },
        },
        { name: 'sink', execution_type: 'noop', runner_config: { sleep_ms: 1 } },
      ],
      workflows: [
        {
          name: 'pass',
          tasks: [
            { name: 'count', service: 'emit', pass_output: 'json' },
            { name: 'login', service: 'leaky', pass_output: 'tail' },
            { name: 'use', service: 'sink', depends_on: ['count', 'login'], payload: { table: 'orders' } },
          ],
        },
      ],
    };
    const file = path.join(dir, 'registry.yaml');
    await writeFile(file, JSON.stringify(registry));
    const holder = new RegistryHolder({});
    assert.ok((await holder.loadFile(file)).ok);

    await store.setEmergencyStop(true, actor, 'maintenance');
    const { run_id: runId } = await startWorkflowRun(store, holder.registry, 'pass', { day: 'fri' }, actor, 'pass-1');
    engine = new Engine({ store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 4, leaseMs: 2000, pollMs: 20, env: { PATH: process.env.PATH, API_TOKEN: 'tok-very-secret-99' } });
    await engine.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const held = await store.getWorkflowRun(runId);
    assert.deepEqual(held?.tasks.map((t) => t.status), ['pending', 'pending', 'waiting'], 'nothing runs while the emergency stop is engaged');

    await store.setEmergencyStop(false, actor, null);
    await waitFor('the run to complete', async () => (await store.getWorkflowRun(runId))?.run.status === 'completed', 15_000);
    const use = (await store.getWorkflowRun(runId))?.tasks.find((t) => t.name === 'use');
    assert.ok(use);
    const job = await store.getJob(use.job_id);
    assert.deepEqual(job?.payload, {
      table: 'orders',
      day: 'fri',
      workflow: { run: 'pass-1', name: 'pass', task: 'use', upstream: { count: { rows: 42 }, login: '[redacted]\n' } },
    });
    const login = (await store.getWorkflowRun(runId))?.tasks.find((t) => t.name === 'login');
    const attempts = await store.listAttempts(login?.job_id ?? 0);
    assert.equal(attempts[0]?.output_tail, '[redacted]\n', 'the stored tail has no secret either');
  });
});
