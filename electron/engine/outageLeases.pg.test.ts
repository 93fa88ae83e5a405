import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RegistryHolder } from '../config/holder.ts';
import { lineLogger } from '../log/logger.ts';
import { openStore } from '../store/open.ts';
import { openPostgresStore } from '../store/postgres/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { Engine } from './engine.ts';
import { jobOf, loadRegistry, tempDir, waitFor } from './testing/harness.ts';
import { startTcpRelay, type TcpRelay } from './testing/tcpRelay.ts';
import { delay } from './waits.ts';

/** Extended every second; a watchdog looks every 1.5 s; a lease runs out 3 s into an outage. */
const LEASE_MS = 3000;
const WATCHDOG_MS = LEASE_MS / 2;
const RECOVERED = /^info the store answers again; taking back other workers' expired leases from \d\d:\d\d:\d\d, once they have had time to report .*\bfrom=(\S+)/;

/** One worker whose database connections go through a relay of its own, so the test stops and starts "the server" for it alone. */
interface Worker {
  engine: Engine;
  relay: TcpRelay;
  lines: string[];
  /** Its store answers again (the relay restored). */
  restored: boolean;
  /** Its first reclaim answered after the restore. */
  lookedAfterRestore: Promise<undefined>;
  /** Jobs whose results it holds through the outage; the ones of them recorded since. */
  held: number[];
  landed: Set<number>;
  /** Claims it sent after the restore while a result it held was not recorded yet. */
  claimsBeforeLanding: number;
  /** When each settle it sent failed, and when each job it held was recorded (Date.now()). */
  settleFailures: number[];
  landedAt: Map<number, number>;
  /** Told of each failed settle, after it is counted. */
  settleFailed: (() => void) | null;
}

/**
 * A database outage under a fleet: every worker loses the store, stops renewing its leases, and holds the
 * results of jobs that ended meanwhile. By the time the store answers again every lease has run out by the
 * clock, yet each is held by a live worker about to report. The watchdog of a worker that saw the outage
 * leaves them to their owners until a grace has passed; a worker that never lost the store does not wait.
 */
describe('leases through an outage of PostgreSQL', () => {
  let db: TestDatabase;
  let store: Store;
  let dir: string;
  let cleanupDir: () => Promise<void>;
  const closing: Array<() => Promise<void>> = [];

  before(async () => {
    db = await createTestDatabase({ migrated: true });
    store = await openStore(db.url);
    ({ dir, cleanup: cleanupDir } = await tempDir());
  });

  after(async () => {
    for (const close of closing.reverse()) await close().catch(() => undefined);
    await store.close();
    await db.drop();
    await cleanupDir();
  });

  async function cutOffWorker(name: string, holder: RegistryHolder): Promise<Worker> {
    const relay = await startTcpRelay(db.url);
    const own = await openPostgresStore(relay.url, { migrate: false });
    const looked = Promise.withResolvers<undefined>();
    const claimed = Promise.withResolvers<undefined>();
    const lines: string[] = [];
    const worker: Omit<Worker, 'engine'> = { relay, lines, restored: false, lookedAfterRestore: looked.promise, held: [], landed: new Set(), claimsBeforeLanding: 0, settleFailures: [], landedAt: new Map(), settleFailed: null };
    const engineStore = storeWith(own, {
      async reclaimExpired(now, settling, owner) {
        const reclaimed = await own.reclaimExpired(now, settling, owner);
        if (worker.restored) looked.resolve(undefined);
        return reclaimed;
      },
      async claim(request) {
        if (worker.restored) {
          if (worker.held.some((id) => !worker.landed.has(id))) worker.claimsBeforeLanding++;
          claimed.resolve(undefined);
        }
        return own.claim(request);
      },
      async settle(settlements) {
        // After the restore a settle waits for a claim, or a second: a worker that claims before its held
        // results land is caught at it whenever the settler's backoff would have sent them.
        if (worker.restored) await Promise.race([claimed.promise, delay(1000)]);
        const landed = await own.settle(settlements).catch((error: unknown) => {
          worker.settleFailures.push(Date.now());
          worker.settleFailed?.();
          throw error;
        });
        for (const id of landed) {
          worker.landed.add(id);
          worker.landedAt.set(id, Date.now());
        }
        return landed;
      },
    });
    const engine = new Engine({ store: engineStore, registry: holder, workerId: name, queues: [name], concurrency: 2, leaseMs: LEASE_MS, pollMs: 50, env: { PATH: process.env.PATH }, log: lineLogger((l) => lines.push(l), 'info') });
    closing.push(async () => {
      relay.restore();
      await engine.stop({ graceMs: 0 });
      await own.close();
      await relay.close();
    });
    return Object.assign(worker, { engine });
  }

  /**
   * Restores the worker's store as a settle of its fails, the fourth or later in a row, when the settler
   * waits 4 s or more before its next try (0.5 s, doubled after each failure, 5 s at most). Resolves with
   * when that settle failed.
   */
  function restoreAfterFailedSettle(w: Worker): Promise<number> {
    const restored = Promise.withResolvers<number>();
    w.settleFailed = () => {
      const failedAt = w.settleFailures.at(-1);
      if (w.settleFailures.length < 4 || failedAt === undefined) return;
      w.settleFailed = null;
      w.restored = true;
      w.relay.restore();
      restored.resolve(failedAt);
    };
    return restored.promise;
  }

  /** The promise's value, or a failure naming what was waited for once `ms` have passed. */
  function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    return Promise.race([promise, delay(ms).then(() => Promise.reject(new Error(`timed out waiting for ${what}`)))]);
  }

  test('two workers cut off together: neither takes the other\'s expired leases before its results land; no completed result is discarded, no attempt spent', { timeout: 120_000 }, async () => {
    const release = path.join(dir, 'release');
    const { holder } = await loadRegistry(dir, [
      {
        // Ends once the file `release` is there: during the outage.
        name: 'gated',
        execution_type: 'shell',
        runner_config: { command: ['/bin/sh', '-c', 'while [ ! -f "$1" ]; do sleep 0.05; done', 'sh'], payload_args: true, working_directory: dir },
        security_policy: { allowed_commands: ['/bin/sh'], allowed_roots: [dir] },
      },
      { name: 'long', execution_type: 'noop', runner_config: {} },
    ]);
    const a = await cutOffWorker('worker-a', holder);
    const b = await cutOffWorker('worker-b', holder);
    const jobsOf = async (queue: string) => {
      // max_attempts 1: an attempt the outage spent would leave a job in the dead-letter queue.
      const [done, long] = await store.enqueue([
        { queue, service_name: 'gated', execution_type: 'shell', max_attempts: 1, payload: { args: [release] } },
        { queue, service_name: 'long', execution_type: 'noop', max_attempts: 1, payload: { sleep_ms: 60_000 } },
      ]);
      assert.ok(done && long);
      return { done: done.id, long: long.id };
    };
    const jobs = { a: await jobsOf(a.engine.workerId), b: await jobsOf(b.engine.workerId) };
    a.held.push(jobs.a.done, jobs.a.long);
    b.held.push(jobs.b.done, jobs.b.long);
    const all = [...a.held, ...b.held];
    await a.engine.start();
    await b.engine.start();
    await waitFor('every job to run', async () => (await Promise.all(all.map((id) => jobOf(store, id)))).every((j) => j.status === 'running'));
    // A worker that died before the outage: its job is anybody's to take back, once the grace allows.
    const [gone] = await store.enqueue([{ queue: 'gone', service_name: 'long', execution_type: 'noop', max_attempts: 2 }]);
    assert.ok(gone);
    assert.equal((await store.claim({ workerId: 'gone-worker', limit: 1, leaseMs: 1000, queues: ['gone'] })).length, 1);

    const cutAt = Date.now();
    a.relay.cut();
    b.relay.cut();
    await writeFile(release, '');
    for (const w of [a, b]) {
      const [done, long] = w.held;
      await waitFor(`${w.engine.workerId} to stop its long job`, () => w.lines.some((l) => l.startsWith('warn could not extend the lease of a job') && l.includes(` job_id=${long} `)));
      await waitFor(`${w.engine.workerId} to hold the result of job ${done}`, () => w.lines.some((l) => l.startsWith('warn could not record results; retrying')));
    }
    await delay(cutAt + LEASE_MS + 500 - Date.now());
    for (const id of [...all, gone.id]) {
      const job = await jobOf(store, id);
      assert.equal(job.status, 'running', `job ${id} is still leased to its worker`);
      assert.ok(Date.parse(job.lease_expires_at ?? '') < Date.now(), `job ${id}'s lease ran out during the outage`);
    }

    // The store answers worker b first: its watchdog looks while worker a still cannot report.
    const bFailedAt = await within(restoreAfterFailedSettle(b), 15_000, "worker b's fourth or later failed settle");
    await within(b.lookedAfterRestore, 15_000, "worker b's watchdog to look with its store back");
    for (const id of a.held) assert.equal((await jobOf(store, id)).status, 'running', `worker b left worker a's job ${id} to it`);
    assert.equal((await jobOf(store, gone.id)).status, 'running', 'and the dead worker\'s job, until its grace has passed');
    a.restored = true;
    a.relay.restore();

    for (const { done, long } of [jobs.a, jobs.b]) {
      const completed = await waitFor(`job ${done} to complete`, async () => {
        const job = await jobOf(store, done);
        return job.status === 'completed' ? job : null;
      }, 20_000);
      assert.equal(completed.attempts, 1);
      assert.deepEqual((await store.listAttempts(done)).map((x) => x.outcome), ['completed'], 'the result held through the outage is the one recorded');
      const stopped = await waitFor(`job ${long}'s stopped attempt to be recorded`, async () => {
        const [first] = await store.listAttempts(long);
        return first && first.outcome !== 'running' ? first : null;
      }, 20_000);
      assert.equal(stopped.outcome, 'interrupted', 'given back by its worker, not taken as lost');
      assert.match(stopped.error_message ?? '', /attempt not spent$/);
    }
    const reclaimed = await waitFor("the dead worker's job to be taken back", async () => {
      const [attempt] = await store.listAttempts(gone.id);
      return attempt?.outcome === 'lost' ? attempt : null;
    }, 20_000);

    // Sent as soon as the store answered, not when the settler's backoff ran out.
    const bLandedIn = (b.landedAt.get(jobs.b.done) ?? Infinity) - bFailedAt;
    assert.ok(bLandedIn < 3000, `worker b's held result landed ${bLandedIn} ms after its last failed settle, whose retry was 4 s or more away`);
    for (const w of [a, b]) {
      const said = w.lines.filter((l) => RECOVERED.test(l));
      assert.equal(said.length, 1, `${w.engine.workerId} says once from when it takes back others' leases:\n${w.lines.join('\n')}`);
      assert.equal(w.claimsBeforeLanding, 0, `${w.engine.workerId} claimed nothing before the results it held were recorded`);
      assert.ok(!w.lines.some((l) => l.includes('was not recorded')), w.lines.join('\n'));
    }
    const graceEnds = Math.min(...[a, b].map((w) => Date.parse(RECOVERED.exec(w.lines.find((l) => RECOVERED.test(l)) ?? '')?.[1] ?? '')));
    assert.ok(Date.parse(reclaimed.finished_at ?? '') >= graceEnds, `the dead worker's job was taken back at ${reclaimed.finished_at}, not before the grace ended at ${new Date(graceEnds).toISOString()}`);
    for (const id of all) assert.ok(!(await store.listAttempts(id)).some((x) => x.outcome === 'lost'), `no attempt of job ${id} was spent as lost`);
    assert.equal(await store.deadLetterCount(), 0);
  });

  test('a worker that never lost the store takes back the leases of one cut off alone on time', { timeout: 60_000 }, async () => {
    const { holder } = await loadRegistry(dir, [{ name: 'long', execution_type: 'noop', runner_config: {} }]);
    const alone = await cutOffWorker('worker-alone', holder);
    const lines: string[] = [];
    const watching = new Engine({ store, registry: holder, workerId: 'worker-watching', queues: ['none'], concurrency: 1, leaseMs: LEASE_MS, pollMs: 50, env: {}, log: lineLogger((l) => lines.push(l), 'info') });
    closing.push(() => watching.stop({ graceMs: 0 }));
    const [job] = await store.enqueue([{ queue: alone.engine.workerId, service_name: 'long', execution_type: 'noop', max_attempts: 2, payload: { sleep_ms: 60_000 } }]);
    assert.ok(job);
    await alone.engine.start();
    await watching.start();
    await waitFor('the job to run', async () => (await jobOf(store, job.id)).status === 'running');
    alone.relay.cut();
    // Read once nothing of the cut-off worker's can reach the server any more.
    await delay(200);
    const leaseEnds = Date.parse((await jobOf(store, job.id)).lease_expires_at ?? '');
    const lost = await waitFor('the watching worker to take the job back', async () => {
      const [attempt] = await store.listAttempts(job.id);
      return attempt?.outcome === 'lost' ? attempt : null;
    }, 15_000);
    const takenAt = Date.parse(lost.finished_at ?? '');
    assert.ok(takenAt >= leaseEnds && takenAt <= leaseEnds + WATCHDOG_MS + 2000, `taken back ${takenAt - leaseEnds} ms after its lease ran out; the watchdog looks every ${WATCHDOG_MS} ms`);
    assert.ok(!lines.some((l) => RECOVERED.test(l)), lines.join('\n'));
  });

  test('a network change that strands the open connections is one loss: calls stuck on them that fail after the store answered on new ones do not lose it again', { timeout: 60_000 }, async () => {
    const { holder } = await loadRegistry(dir, [{ name: 'long', execution_type: 'noop', runner_config: {} }]);
    const w = await cutOffWorker('worker-stranded', holder);
    const [job] = await store.enqueue([{ queue: w.engine.workerId, service_name: 'long', execution_type: 'noop', max_attempts: 1, payload: { sleep_ms: 60_000 } }]);
    assert.ok(job);
    await w.engine.start();
    await waitFor('the job to run', async () => (await jobOf(store, job.id)).status === 'running');
    await delay(500);
    w.relay.strandOpenConnections();
    // A call stuck on a stranded connection fails once the engine's wait for an answer (10 s) runs out.
    await delay(13_000);
    // Lost or not, by whether a call stuck before another was answered on a new connection: never twice.
    const said = w.lines.filter((l) => l.startsWith('info the store answers again'));
    assert.ok(said.length <= 1, `the store answers again once at most:\n${w.lines.join('\n')}`);
    assert.ok(w.lines.some((l) => l.startsWith('warn could not claim jobs') && l.includes('did not answer within 10 s')), `a claim was stuck:\n${w.lines.join('\n')}`);
  });
});
