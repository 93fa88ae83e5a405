import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { enqueueOne, jobOf, loadRegistry, pidOf, processAlive, stallsOnceService, tempDir, waitFor, waitForStatus } from './testing/harness.ts';

/**
 * A short outage of the database under a worker in its own process: the administrator closes the
 * database to connections and ends those open (ALLOW_CONNECTIONS false), then opens it again once the
 * worker has stopped its job and the job's lease has run out. The job must go back without spending its
 * attempt, since its worker knows why it stopped it, and run again.
 */
describe('a worker through an outage of PostgreSQL', () => {
  let db: TestDatabase;
  let store: Store;
  let dir: string;
  let cleanupDir: () => Promise<void>;
  const children: ChildProcess[] = [];

  before(async () => {
    db = await createTestDatabase({ migrated: true });
    store = await openStore(db.url);
    ({ dir, cleanup: cleanupDir } = await tempDir());
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await db.allowConnections(true).catch(() => undefined);
    await store.close();
    await db.drop();
    await cleanupDir();
  });

  test('the job it stopped goes back once the database answers, attempt not spent, and runs again; no dead letter, no worker blamed', async () => {
    const leaseMs = 3000;
    const marker = path.join(dir, 'outage-marker');
    const { file } = await loadRegistry(dir, [stallsOnceService('long_once', dir)]);
    // max_attempts 1, as max_retries 0: an attempt spent by the outage would leave it a dead letter.
    const id = await enqueueOne(store, 'long_once', 'shell', 1, { args: [marker] });
    const script = path.join(import.meta.dirname, 'testing', 'workerProcess.ts');
    const child = spawn(process.execPath, [script, db.url, file, 'outage-worker', String(leaseMs)], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
    children.push(child);
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const lines = () => log.split('\n');
    await waitFor('the worker to run the job', async () => (await jobOf(store, id)).status === 'running', 15_000).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; worker log: ${log}`);
    });
    const pid = await pidOf(marker);
    const leaseBefore = Date.parse((await jobOf(store, id)).lease_expires_at ?? '');

    await db.allowConnections(false);
    await waitFor(`the job's program (pid ${pid}) to be stopped by its worker`, async () => !(await processAlive(pid)), 3 * leaseMs);
    const stoppedBy = Date.now();
    assert.ok(lines().some((l) => l.startsWith('warn could not extend the lease of a job') && l.includes(` job_id=${id} `)), log);
    // Past every lease the database can hold for it: a watchdog that could reach the database would take it now.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, leaseBefore + leaseMs - Date.now()) + 500));
    const reopened = Date.now();
    await db.allowConnections(true);

    const done = await waitForStatus(store, id, 'completed', 20_000).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; worker log: ${log}`);
    });
    assert.equal(done.attempts, 1, 'the stopped attempt was given back: max_attempts 1 still ran again');
    const [stopped, rerun] = await store.listAttempts(id);
    assert.ok(stopped && rerun, 'two attempts');
    assert.equal(stopped.outcome, 'interrupted');
    assert.equal(stopped.worker_id, 'outage-worker');
    assert.match(stopped.error_message ?? '', /^its worker lost the store \(no lease extension confirmed for \d+ s\) and stopped it before its lease ran out; back to pending, attempt not spent$/);
    // The worker stamps the end as it settles the stopped program, a few ms after this test saw it gone.
    const ended = Date.parse(stopped.finished_at ?? '');
    assert.ok(ended <= stoppedBy + 1000 && ended < reopened, `the attempt ended ${stopped.finished_at}, when its program was stopped (seen gone at ${new Date(stoppedBy).toISOString()}), not when the database answered (${new Date(reopened).toISOString()})`);
    assert.equal(rerun.outcome, 'completed');
    assert.equal(await store.deadLetterCount(), 0);

    const said = await waitFor('the worker to say the job went back', () => lines().find((l) => l.includes(` job_id=${id} `) && l.startsWith('warn job stopped while the store was unreachable')), 5000);
    assert.match(said, /back to pending, attempt not spent/);
    assert.ok(!lines().some((l) => l.includes('took back jobs') || l.includes('stopped renewing')), `no reclaim, and no worker blamed:\n${log}`);
  });
});
