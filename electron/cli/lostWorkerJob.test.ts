import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../store/open.ts';
import { WORKER_LOST_AFTER_MS } from '../api/handlers/workers.ts';
import { BIN, ok, opsdeck } from './testing/opsdeck.ts';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('opsdeck job ID on a job whose worker died (a real worker, killed)', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-lostjob-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says the worker is lost, that nobody runs the job, and what becomes of it when; a job of a live worker says nothing of it', async () => {
    const db = join(dir, 'lost.db');
    const registry = join(dir, 'registry.yaml');
    // Long enough to be running still when its worker is killed and seen lost; it ends on its own after.
    await writeFile(registry, 'services:\n  - name: slow\n    execution_type: shell\n    runner_config:\n      command: ["/usr/bin/sleep", "30"]\n    security_policy:\n      allowed_commands: ["/usr/bin/sleep"]\n');
    ok(await opsdeck(['enqueue', 'slow', '--db', db, '--registry', registry]));
    const worker = spawn(process.execPath, [BIN, 'worker', '--db', db, '--registry', registry], { env: { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined }, stdio: 'ignore' });
    const exited = new Promise((resolve) => worker.on('close', resolve));
    const store = await openStore(db);
    try {
      await waitFor('the job to run', async () => ((await store.getJob(1))?.status === 'running' ? true : undefined));
      const live = ok(await opsdeck(['job', '1', '--db', db]));
      assert.doesNotMatch(live, /is lost/, `its worker answers:\n${live}`);

      worker.kill('SIGKILL');
      await exited;
      await waitFor('the worker to be lost', async () => ((await store.listWorkers(WORKER_LOST_AFTER_MS))[0]?.lost === true ? true : undefined));
      const job = await store.getJob(1);
      assert.ok(job);
      assert.equal(job.status, 'running', 'still running under its lease');
      const trace = ok(await opsdeck(['job', '1', '--db', db]));
      assert.match(
        trace,
        new RegExp(`^worker: +worker ${job.lease_owner} is lost \\(last heartbeat \\S+ \\S+, \\S+ pid ${String(worker.pid)}\\): nobody runs this job; stuck once its lease runs out, by \\S+ \\S+: then opsdeck jobs --stuck lists it and opsdeck fail 1 --reason TEXT fails it, or a live worker's watchdog takes it back: pending again with that attempt spent \\(recorded lost\\), or a dead letter once out of attempts$`, 'm'),
      );
    } finally {
      worker.kill('SIGKILL');
      await store.close();
    }
  });
});
