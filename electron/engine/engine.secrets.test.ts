import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRunners } from '../runners/registry.ts';
import type { Store } from '../store/store.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { Engine } from './engine.ts';
import { enqueueOne, loadRegistry, tempDir, waitFor } from './testing/harness.ts';

/** A real shell job that prints its secrets to stdout and stderr and fails: nothing the store keeps holds them. */
describe('secrets a failing job prints', () => {
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

  test('are cut from the error message, the attempt, the output tail and the dead-letter groups', async () => {
    const { holder } = await loadRegistry(dir, [
      {
        name: 'leaky',
        execution_type: 'shell',
        runner_config: { command: ['/bin/sh', '-c', 'echo "out: $API_TOKEN $STRIPE_KEY $DATABASE_URL"; echo "err: token=$API_TOKEN" >&2; exit 3'], env: ['API_TOKEN', 'STRIPE_KEY', 'DATABASE_URL'] },
        security_policy: { allowed_commands: ['/bin/sh'] },
        retry_config: { max_retries: 0 },
      },
    ]);
    const env = { PATH: process.env.PATH, API_TOKEN: 'tok_SuperSecret123', STRIPE_KEY: 'sk_live_Stripe987', DATABASE_URL: 'postgres://app:DbPassw0rd@db.example:5432/app' };
    engine = new Engine({ store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 1, pollMs: 20, env });
    await engine.start();
    const id = await enqueueOne(store, 'leaky', 'shell', 1, {});
    await waitFor('the job to fail', async () => (await store.getJob(id))?.status === 'failed', 10_000);
    const job = await store.getJob(id);
    const [attempt] = await store.listAttempts(id);
    const [group] = await store.dlqGroups({});
    const kept = JSON.stringify({ job, attempt, group });
    for (const secret of ['tok_SuperSecret123', 'sk_live_Stripe987', 'DbPassw0rd']) assert.ok(!kept.includes(secret), `${secret} is kept: ${kept}`);
    assert.equal(job?.error_message, 'exited with code 3: err: token=[redacted]');
    assert.equal(attempt?.output_tail, 'out: [redacted] [redacted] postgres://app:[redacted]@db.example:5432/app\nerr: token=[redacted]\n');
  });
});
