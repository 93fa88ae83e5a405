import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRunners } from '../runners/registry.ts';
import { openStore } from '../store/open.ts';
import { openPostgresStore } from '../store/postgres/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import type { TestDatabase } from '../store/testing/pgTestDb.ts';
import { Engine } from './engine.ts';
import { startTcpRelay } from './testing/tcpRelay.ts';
import { actor, enqueueOne, jobOf, loadRegistry, pidOf, processAlive, stallsOnceService, tempDir, waitFor, waitForStatus } from './testing/harness.ts';
import { lineLogger } from '../log/logger.ts';

describe('engine on PostgreSQL', () => {
  let db: TestDatabase;
  let store: Store;
  let dir: string;
  let cleanupDir: () => Promise<void>;
  const engines: Engine[] = [];
  const stores: Store[] = [];
  const children: ChildProcess[] = [];
  const strayPids: number[] = [];

  before(async () => {
    db = await createTestDatabase({ migrated: true });
    store = await openStore(db.url);
    stores.push(store);
    const tmp = await tempDir();
    dir = tmp.dir;
    cleanupDir = tmp.cleanup;
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const pid of strayPids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await Promise.all(engines.map((e) => e.stop({ graceMs: 0 })));
    for (const s of stores) await s.close();
    await db.drop();
    await cleanupDir();
  });

  async function newEngine(services: unknown[], opts: { concurrency?: number; leaseMs?: number; own?: boolean } = {}) {
    const { holder } = await loadRegistry(dir, services);
    const engineStore = opts.own ? await openStore(db.url) : store;
    if (opts.own) stores.push(engineStore);
    const engine = new Engine({
      store: engineStore,
      registry: holder,
      runners: createRunners({ killGraceMs: 300 }),
      concurrency: opts.concurrency ?? 8,
      leaseMs: opts.leaseMs ?? 2000,
      pollMs: 20,
      env: { PATH: process.env.PATH },
    });
    engines.push(engine);
    await engine.start();
    return engine;
  }

  async function stopAll(): Promise<void> {
    await Promise.all(engines.splice(0).map((e) => e.stop({ graceMs: 0 })));
  }

  test('two engines on one database never run the same attempt', async () => {
    const services = [{ name: 'bulk', execution_type: 'noop', runner_config: { sleep_ms: 1 } }];
    const results = await store.enqueue(
      Array.from({ length: 300 }, () => ({ queue: 'default', service_name: 'bulk', execution_type: 'noop' as const, max_attempts: 3 })),
    );
    const a = await newEngine(services, { own: true, concurrency: 6 });
    const b = await newEngine(services, { own: true, concurrency: 6 });
    await waitFor('every job to complete', async () => {
      const counts = await store.countsByQueueAndStatus();
      const done = counts.filter((c) => c.status === 'completed').reduce((n, c) => n + c.count, 0);
      return done >= 300;
    }, 30_000);
    const workers = new Set<string>();
    for (const { id } of results) {
      const job = await jobOf(store, id);
      assert.equal(job.attempts, 1, `job ${id} ran ${job.attempts} times`);
      const attempts = await store.listAttempts(id);
      assert.equal(attempts.length, 1);
      for (const attempt of attempts) workers.add(attempt.worker_id);
    }
    assert.ok([...workers].every((w) => w === a.workerId || w === b.workerId));
    await stopAll();
  });

  test('a worker run until empty first takes back what a dead worker left running, and runs it', async () => {
    const id = await enqueueOne(store, 'left', 'noop', 3);
    assert.equal((await store.claim({ workerId: 'dead-worker', limit: 1, leaseMs: 1 })).length, 1);
    await new Promise((r) => setTimeout(r, 20));
    // A long lease puts the periodic watchdog seconds away: only the sweep at start can find this job.
    const engine = await newEngine([{ name: 'left', execution_type: 'noop', runner_config: { sleep_ms: 0 } }], { leaseMs: 60_000 });
    await engine.runUntilEmpty();
    assert.equal((await jobOf(store, id)).status, 'completed');
    assert.deepEqual((await store.listAttempts(id)).map((a) => [a.worker_id, a.outcome]), [['dead-worker', 'lost'], [engine.workerId, 'completed']]);
    await stopAll();
  });

  test('run until empty waits for a claim still under way, however long the server takes to answer', async () => {
    const { holder } = await loadRegistry(dir, [{ name: 'tail', execution_type: 'noop', runner_config: { sleep_ms: 0 } }]);
    const results = await store.enqueue(
      Array.from({ length: 100 }, () => ({ queue: 'default', service_name: 'tail', execution_type: 'noop' as const, max_attempts: 3 })),
    );
    const slowStore = await openStore(db.url);
    stores.push(slowStore);
    // Once the first jobs have run (so the dispatcher claims ahead), every claim that finds jobs takes
    // half a second to answer, as on a loaded server: the jobs it holds are leased meanwhile, so the
    // queue looks empty to anything else that asks.
    const claim = slowStore.claim.bind(slowStore);
    let claimedSoFar = 0;
    slowStore.claim = async (request) => {
      const jobs = await claim(request);
      claimedSoFar += jobs.length;
      if (jobs.length > 0 && claimedSoFar > 32) await new Promise((r) => setTimeout(r, 500));
      return jobs;
    };
    const engine = new Engine({ store: slowStore, registry: holder, concurrency: 16, pollMs: 20, env: {} });
    engines.push(engine);
    await engine.runUntilEmpty();
    const statuses = await Promise.all(results.map(async (r) => (await jobOf(store, r.id)).status));
    assert.deepEqual(statuses.filter((s) => s !== 'completed'), []);
    assert.ok(claimedSoFar > 32, `the slow claims never came: ${claimedSoFar} jobs claimed`);
    await stopAll();
  });

  test('retries with backoff then success, and a non-retryable failure at once', async () => {
    await newEngine([
      { name: 'fails', execution_type: 'noop', runner_config: { fail: true, fail_message: 'quota 42 exceeded' }, retry_config: { max_retries: 2, initial_backoff: 0.01, max_backoff: 0.02 } },
      { name: 'fatal', execution_type: 'noop', runner_config: { fail: true, fail_retryable: false, fail_message: 'bad input' }, retry_config: { max_retries: 5 } },
    ]);
    const retried = await enqueueOne(store, 'fails', 'noop', 3);
    const fatal = await enqueueOne(store, 'fatal', 'noop', 6);
    const r = await waitForStatus(store, retried, 'failed');
    assert.equal(r.attempts, 3);
    assert.equal(r.error_message, 'quota 42 exceeded');
    assert.deepEqual((await store.listAttempts(retried)).map((x) => x.outcome), ['failed', 'failed', 'failed']);
    const f = await waitForStatus(store, fatal, 'failed');
    assert.equal(f.attempts, 1);
    assert.equal(f.error_message, 'bad input');
    await stopAll();
  });

  test('an emergency stop from another connection interrupts running jobs without spending attempts; resume runs them', async () => {
    const marker = path.join(dir, 'resume-marker');
    await newEngine(
      [
        {
          name: 'sleepy',
          execution_type: 'shell',
          runner_config: { command: ['/bin/sh', '-c', 'if [ -f "$1" ]; then exit 0; fi; exec /bin/sleep 60', 'sh'], payload_args: true, working_directory: dir },
          security_policy: { allowed_commands: ['/bin/sh'], allowed_roots: [dir] },
        },
      ],
      { concurrency: 10 },
    );
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) ids.push(await enqueueOne(store, 'sleepy', 'shell', 3, { args: [marker] }));
    await waitFor('all ten to run', async () => {
      for (const id of ids) if ((await jobOf(store, id)).status !== 'running') return false;
      return true;
    });
    const operator = await openStore(db.url);
    stores.push(operator);
    await operator.setEmergencyStop(true, actor, 'test');
    for (const id of ids) {
      const job = await waitForStatus(store, id, 'pending', 5000);
      assert.equal(job.attempts, 0, 'an interrupted attempt is not spent');
      const attempts = await store.listAttempts(id);
      assert.deepEqual(attempts.map((a) => a.outcome), ['interrupted']);
    }
    await new Promise((r) => setTimeout(r, 150));
    for (const id of ids) assert.equal((await jobOf(store, id)).status, 'pending', 'nothing is claimed while stopped');
    await writeFile(marker, '');
    await operator.setEmergencyStop(false, actor, null);
    for (const id of ids) {
      const job = await waitForStatus(store, id, 'completed');
      assert.equal(job.attempts, 1);
    }
    await stopAll();
  });

  test('jobs of a claim that answers after an emergency stop go back without starting', async () => {
    const started = path.join(dir, 'late-started');
    const { holder } = await loadRegistry(dir, [
      {
        name: 'late',
        execution_type: 'shell',
        runner_config: { command: ['/bin/sh', '-c', ': > "$1"; exec /bin/sleep 60', 'sh'], payload_args: true, working_directory: dir },
        security_policy: { allowed_commands: ['/bin/sh'], allowed_roots: [dir] },
      },
    ]);
    const id = await enqueueOne(store, 'late', 'shell', 3, { args: [started] });
    const heldStore = await openStore(db.url);
    stores.push(heldStore);
    const claim = heldStore.claim.bind(heldStore);
    let claimHeld!: () => void;
    const held = new Promise<void>((resolve) => (claimHeld = resolve));
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    heldStore.claim = async (request) => {
      const jobs = await claim(request);
      if (jobs.length > 0) {
        claimHeld();
        await answered;
      }
      return jobs;
    };
    const engine = new Engine({ store: heldStore, registry: holder, concurrency: 2, pollMs: 20, env: { PATH: process.env.PATH } });
    engines.push(engine);
    const stopSeen = new Promise<void>((resolve) => engine.on('control', (state) => state.emergency_stop.engaged && resolve()));
    await engine.start();
    await held;
    const operator = await openStore(db.url);
    stores.push(operator);
    try {
      await operator.setEmergencyStop(true, actor, 'test');
      await stopSeen;
      answer();
      const job = await waitForStatus(store, id, 'pending', 2000);
      assert.equal(job.attempts, 0, 'the attempt is not spent');
      assert.deepEqual(await store.listAttempts(id), [], 'it never started: no attempt is recorded');
      assert.equal(job.started_at, null);
      assert.equal(await readFile(started, 'utf8').then(() => 'started', () => 'never started'), 'never started');
    } finally {
      await operator.setEmergencyStop(false, actor, null);
      await stopAll();
    }
  });

  test('jobs of a worker killed with SIGKILL are taken back and run by another engine', async () => {
    const marker = path.join(dir, 'reclaim-marker');
    const services = [stallsOnceService('once', dir)];
    const { file } = await loadRegistry(dir, services);
    const id = await enqueueOne(store, 'once', 'shell', 3, { args: [marker] });
    const script = path.join(import.meta.dirname, 'testing', 'workerProcess.ts');
    const child = spawn(process.execPath, [script, db.url, file, 'doomed-worker', '600'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH },
    });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor('the child worker to run the job', async () => {
      const job = await jobOf(store, id);
      return job.status === 'running' && job.lease_owner === 'doomed-worker';
    }, 15_000).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; child stderr: ${stderr}`);
    });
    const firstPid = await pidOf(marker);
    strayPids.push(firstPid);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    await newEngine(services, { leaseMs: 600 });
    const job = await waitForStatus(store, id, 'completed', 15_000);
    assert.equal(job.attempts, 2);
    const attempts = await store.listAttempts(id);
    assert.deepEqual(attempts.map((a) => a.outcome), ['lost', 'completed']);
    assert.equal(attempts[0]?.worker_id, 'doomed-worker');
    await stopAll();
  });

  test('a worker cut off from the database stops its jobs while their leases hold; another runs them only after', async () => {
    const relay = await startTcpRelay(db.url);
    const cutOffStore = await openStore(relay.url);
    const leaseMs = 1500;
    const marker = path.join(dir, 'partition-marker');
    const services = [stallsOnceService('partitioned', dir)];
    const { holder } = await loadRegistry(dir, services);
    const cutOff = new Engine({ store: cutOffStore, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 1, leaseMs, pollMs: 20, env: {} });
    try {
      await cutOff.start();
      const id = await enqueueOne(store, 'partitioned', 'shell', 3, { args: [marker] });
      await waitForStatus(store, id, 'running');
      const pid = await pidOf(marker);
      // Past one lease extension, so the lease the database holds is one the worker extended.
      await new Promise((r) => setTimeout(r, leaseMs / 2));
      relay.silence();
      await waitFor(`the cut-off worker's job (pid ${pid}) to be stopped`, async () => !(await processAlive(pid)), 5000);
      const goneBy = new Date();
      // Asked at the moment the process was gone, the database still holds the lease: nobody can have
      // taken the job yet.
      assert.deepEqual((await store.reclaimExpired(goneBy)).retried, []);
      const other = await newEngine(services, { leaseMs });
      const done = await waitForStatus(store, id, 'completed', 10_000);
      const attempts = await store.listAttempts(id);
      assert.deepEqual(attempts.map((a) => [a.outcome, a.worker_id]), [['lost', cutOff.workerId], ['completed', other.workerId]]);
      assert.ok(Date.parse(attempts[1]?.started_at ?? '') >= goneBy.getTime(), 'the second attempt started only after the first had stopped');
      assert.equal(done.attempts, 2);
    } finally {
      await relay.close();
      await cutOff.stop({ graceMs: 0 });
      await cutOffStore.close();
      await stopAll();
    }
  });

  test('a worker whose connections die without a word (the laptop changed networks) works again within seconds', async () => {
    const relay = await startTcpRelay(db.url);
    const answerMs = 500;
    const stranded = await openPostgresStore(relay.url, { engineAnswerMs: answerMs });
    const { holder } = await loadRegistry(dir, [
      { name: 'roaming', execution_type: 'noop', runner_config: { sleep_ms: 0 } },
      { name: 'long', execution_type: 'noop', runner_config: { sleep_ms: 60_000 } },
    ]);
    const lines: string[] = [];
    const engine = new Engine({ store: stranded, registry: holder, concurrency: 2, leaseMs: 6000, pollMs: 20, env: {}, log: lineLogger((l) => lines.push(l)) });
    try {
      await engine.start();
      const before = await enqueueOne(store, 'roaming', 'noop', 3);
      await waitForStatus(store, before, 'completed');
      // Every connection the worker holds goes dead, the ones idle in its pool included; the network
      // itself is back, so new connections work.
      relay.strandOpenConnections();
      const after = await enqueueOne(store, 'roaming', 'noop', 3);
      await waitForStatus(store, after, 'completed', 15_000);
      // And it hears the control plane again: an emergency stop interrupts what it runs.
      const long = await enqueueOne(store, 'long', 'noop', 3);
      await waitForStatus(store, long, 'running', 15_000);
      await store.setEmergencyStop(true, actor, 'after the network change');
      const interrupted = await waitForStatus(store, long, 'pending', 15_000);
      assert.equal(interrupted.attempts, 0);
      assert.ok(lines.some((l) => l.includes('did not answer within')), lines.join('\n'));
    } finally {
      await store.setEmergencyStop(false, actor, null);
      await relay.close();
      await engine.stop({ graceMs: 0 });
      await stranded.close();
    }
  });

  test("a capped service's next job starts when the one before it is recorded, not a poll interval later, on a server a few ms away", async () => {
    // A claim that comes back empty because the service's cap is full, while the settle that frees it lands
    // during that claim: the settle's signal comes before the claim is known to be held back.
    const relay = await startTcpRelay(db.url, { oneWayMs: 3 });
    const farStore = await openStore(relay.url);
    const pollMs = 5000;
    const queue = 'capped_far';
    const { holder } = await loadRegistry(dir, [{ name: 'capped_far', queue, execution_type: 'noop', concurrency: 1, runner_config: { sleep_ms: 20 } }]);
    const engine = new Engine({ store: farStore, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 1, queues: [queue], pollMs, maintenance: false, schedules: false });
    try {
      await engine.start();
      const results = await store.enqueue(Array.from({ length: 6 }, () => ({ queue, service_name: 'capped_far', execution_type: 'noop' as const, max_attempts: 1 })));
      const ids = results.map((r) => r.id);
      const jobs = await Promise.all(ids.map((id) => waitForStatus(store, id, 'completed', 4 * pollMs)));
      const waits = jobs.slice(1).map((job, i) => Date.parse(job.started_at ?? '') - Date.parse(jobs[i]?.completed_at ?? ''));
      assert.ok(Math.max(...waits) < pollMs / 2, `from one job's end to the next one's start (ms): ${waits.join(', ')}`);
    } finally {
      await engine.stop({ graceMs: 0 });
      await farStore.close();
      await relay.close();
    }
  });
});
