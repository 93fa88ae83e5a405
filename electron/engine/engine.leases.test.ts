import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createRunners } from '../runners/registry.ts';
import { StoreError } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { Engine } from './engine.ts';
import { enqueueOne, jobOf, loadRegistry, pidOf, processAlive, stallsOnceService, tempDir, waitFor, waitForStatus } from './testing/harness.ts';
import { lineLogger } from '../log/logger.ts';

/** A job runs on one worker at a time: a worker that lost its lease, or cannot confirm it, stops the job. */
describe('engine leases on SQLite', () => {
  let store: Store;
  let cleanupStore: () => Promise<void>;
  let dir: string;
  let cleanupDir: () => Promise<void>;
  const engines: Engine[] = [];

  before(async () => {
    const db = await createSqliteTestStore();
    store = db.store;
    cleanupStore = db.cleanup;
    const tmp = await tempDir();
    dir = tmp.dir;
    cleanupDir = tmp.cleanup;
  });

  after(async () => {
    await Promise.all(engines.map((e) => e.stop({ graceMs: 0 })));
    await cleanupStore();
    await cleanupDir();
  });

  async function engineFor(services: unknown[]): Promise<Engine> {
    const { holder } = await loadRegistry(dir, services);
    const engine = new Engine({ store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 8, leaseMs: 2000, pollMs: 20, env: { PATH: process.env.PATH } });
    engines.push(engine);
    await engine.start();
    return engine;
  }

  async function stopAll(): Promise<void> {
    await Promise.all(engines.splice(0).map((e) => e.stop({ graceMs: 0 })));
  }

  test('a job taken back by the watchdog is stopped here and never settled by the worker that lost it', async () => {
    const marker = path.join(dir, 'lease-marker');
    await engineFor([stallsOnceService('leased', dir)]);
    const id = await enqueueOne(store, 'leased', 'shell', 3, { args: [marker] });
    await waitForStatus(store, id, 'running');
    const pid = await pidOf(marker);
    // Another worker's watchdog, with a clock past this lease: as if this worker had stopped answering.
    const reclaimed = await store.reclaimExpired(new Date(Date.now() + 60_000));
    assert.deepEqual(reclaimed.retried, [id]);
    await waitFor(`the first run (pid ${pid}) to be stopped`, async () => !(await processAlive(pid)), 5000);
    const job = await waitForStatus(store, id, 'completed');
    assert.equal(job.attempts, 2);
    assert.deepEqual((await store.listAttempts(id)).map((a) => a.outcome), ['lost', 'completed']);
    await stopAll();
  });
  test('the watchdog logs a job it moves to the dead-letter queue at error, like every dead letter, apart from the jobs it takes back to run again', async () => {
    const own = await createSqliteTestStore();
    const { holder } = await loadRegistry(dir, [{ name: 'quick', execution_type: 'noop', runner_config: {} }]);
    // Leased for a millisecond to a worker that is gone: their leases have run out by the time a watchdog looks.
    const [last, more] = await own.store.enqueue([
      { queue: 'gone', service_name: 'quick', execution_type: 'noop', max_attempts: 1, payload: {} },
      { queue: 'gone', service_name: 'quick', execution_type: 'noop', max_attempts: 3, payload: { sleep_ms: 60_000 } },
    ]);
    assert.ok(last && more);
    assert.equal((await own.store.claim({ workerId: 'gone-worker', limit: 2, leaseMs: 1, queues: ['gone'] })).length, 2);
    const lines: string[] = [];
    const engine = new Engine({ store: own.store, registry: holder, concurrency: 1, leaseMs: 2000, pollMs: 20, queues: ['other'], env: {}, log: lineLogger((l) => lines.push(l)) });
    try {
      await engine.start();
      const dead = await waitFor('the dead letter to be logged', () => lines.find((l) => l.includes(` job_id=${last.id} `)), 5000);
      assert.match(dead, /^error job failed: moved to the dead-letter queue /);
      assert.match(dead, / error_class=lost /);
      assert.match(dead, /lease expired: worker gone-worker stopped renewing it/);
      const retried = lines.find((l) => l.startsWith('warn took back jobs whose lease ran out'));
      assert.ok(retried, lines.join('\n'));
      assert.match(retried, new RegExp(`job_ids=\\[${more.id}\\]`), 'the retried job alone: the dead letter has its own line');
      assert.equal((await jobOf(own.store, last.id)).status, 'failed');
    } finally {
      await engine.stop({ graceMs: 0 });
      await own.cleanup();
    }
  });

  test('a job an operator fails while it runs is stopped here, and the log says it was ended, not taken by another worker', async () => {
    const marker = path.join(dir, 'failed-by-hand');
    const lines: string[] = [];
    const { holder } = await loadRegistry(dir, [stallsOnceService('held', dir)]);
    const engine = new Engine({ store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 2, leaseMs: 600, pollMs: 20, env: { PATH: process.env.PATH }, log: lineLogger((l) => lines.push(l)) });
    engines.push(engine);
    await engine.start();
    const id = await enqueueOne(store, 'held', 'shell', 3, { args: [marker] });
    await waitForStatus(store, id, 'running');
    const pid = await pidOf(marker);
    assert.equal((await store.failRunningJob(id, engine.workerId, { user: 'alice', host: 'laptop' }, 'stuck on a lock'))?.status, 'failed');
    await waitFor(`the job's process (pid ${pid}) to be stopped`, async () => !(await processAlive(pid)), 5000);
    const said = await waitFor('the stop to be logged', () => lines.find((l) => l.includes(` job_id=${id} `) && l.includes('taken from this worker')));
    assert.match(said, /taken from this worker: failed by an operator \(alice@laptop\): stuck on a lock/);
    assert.doesNotMatch(lines.join('\n'), /another worker/);
    assert.equal((await jobOf(store, id)).status, 'failed', 'the stopped attempt did not settle over the operator');
    await stopAll();
  });

  test('explaining a lost lease never holds up the next extension, even when the store does not answer the read', async () => {
    const own = await createSqliteTestStore();
    const { holder } = await loadRegistry(dir, [stallsOnceService('pair', dir)]);
    const lines: string[] = [];
    const engine = new Engine({ store: own.store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 2, leaseMs: 600, pollMs: 20, env: { PATH: process.env.PATH }, log: lineLogger((l) => lines.push(l)) });
    try {
      await engine.start();
      const [markerA, markerB] = [path.join(dir, 'hung-read-a'), path.join(dir, 'hung-read-b')];
      const a = await enqueueOne(own.store, 'pair', 'shell', 3, { args: [markerA] });
      const b = await enqueueOne(own.store, 'pair', 'shell', 3, { args: [markerB] });
      const pidA = await pidOf(markerA, 'job a');
      await pidOf(markerB, 'job b');
      const read = own.store.getJob.bind(own.store);
      own.store.getJob = () => new Promise<never>(() => {});
      const extend = own.store.extendLeases.bind(own.store);
      let extensions = 0;
      own.store.extendLeases = async (workerId, jobIds, ms) => {
        extensions++;
        return extend(workerId, jobIds, ms);
      };
      assert.equal((await own.store.failRunningJob(a, engine.workerId, { user: 'alice', host: 'laptop' }, 'stuck'))?.status, 'failed');
      await waitFor(`job a's process (pid ${pidA}) to be stopped`, async () => !(await processAlive(pidA)), 5000);
      const afterStop = extensions;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.ok(extensions >= afterStop + 2, `${extensions - afterStop} extensions in 1.5 s of a 600 ms lease while the read hung`);
      assert.deepEqual((await own.store.reclaimExpired(new Date())).retried, [], "job b's lease still holds");
      assert.equal((await read(b))?.status, 'running');
      const said = await waitFor('the stop of job a to be logged', () => lines.find((l) => l.includes(` job_id=${a} `) && l.includes('taken from this worker')), 5000);
      assert.match(said, /could not say/);
    } finally {
      await engine.stop({ graceMs: 0 });
      await own.cleanup();
    }
  });

  test('a worker held up past its leases (SIGSTOP) hears from the store that an operator failed its job: it says so, and blames no store', async () => {
    const own = await createSqliteTestStore();
    const { holder } = await loadRegistry(dir, [stallsOnceService('paused', dir)]);
    const extend = own.store.extendLeases.bind(own.store);
    let answered = 0;
    // A store at network distance: it extends at once, its answer comes later, long enough for the job
    // stopped as the worker woke to end, and leave the running jobs, before the answer that explains it.
    own.store.extendLeases = async (workerId, jobIds, ms) => {
      const held = await extend(workerId, jobIds, ms);
      await new Promise((resolve) => setTimeout(resolve, 100));
      answered++;
      return held;
    };
    const lines: string[] = [];
    const leaseMs = 600;
    const engine = new Engine({ store: own.store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 1, leaseMs, pollMs: 20, env: { PATH: process.env.PATH }, log: lineLogger((l) => lines.push(l)) });
    try {
      await engine.start();
      const marker = path.join(dir, 'paused-worker');
      const id = await enqueueOne(own.store, 'paused', 'shell', 3, { args: [marker] });
      const pid = await pidOf(marker);
      const seen = answered;
      await waitFor('an extension to be answered', () => answered > seen);
      assert.equal((await own.store.failRunningJob(id, engine.workerId, { user: 'alice', host: 'laptop' }, 'stuck on a lock'))?.status, 'failed');
      // SIGSTOP, then SIGCONT a lease and a half later: nothing of this worker runs meanwhile.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, leaseMs * 1.5);
      await waitFor(`the job's process (pid ${pid}) to be stopped`, async () => !(await processAlive(pid)), 5000);
      const said = await waitFor('the stop to be logged', () => lines.find((l) => l.includes(` job_id=${id} `) && l.includes('taken from this worker')), 5000);
      assert.match(said, /^warn stopped a job taken from this worker: failed by an operator \(alice@laptop\): stuck on a lock /);
      assert.doesNotMatch(lines.join('\n'), /did not answer|could not extend/);
      assert.ok(lines.some((l) => l.startsWith('warn this worker was held up past the safe margin of its leases')), lines.join('\n'));
    } finally {
      await engine.stop({ graceMs: 0 });
      await own.cleanup();
    }
  });

  test('results it could not record before stopping are named in the log, with their jobs', async () => {
    const own = await createSqliteTestStore();
    const { holder } = await loadRegistry(dir, [{ name: 'quick', execution_type: 'noop', runner_config: { sleep_ms: 0 } }]);
    const lines: string[] = [];
    // The store away, as its dialects tell it: retried until the worker stops, not given up on.
    own.store.settle = () => Promise.reject(new StoreError('unreachable', 'cannot reach PostgreSQL at 127.0.0.1:5432: connection refused', 'is the server running?', { transient: true }));
    const engine = new Engine({ store: own.store, registry: holder, concurrency: 1, leaseMs: 2000, pollMs: 20, env: {}, log: lineLogger((l) => lines.push(l)) });
    try {
      await engine.start();
      const id = await enqueueOne(own.store, 'quick', 'noop', 3);
      await waitFor('a settle to be tried', () => lines.some((l) => l.includes('could not record results')));
      await engine.stop({ graceMs: 0 });
      const said = lines.find((l) => l.includes('could not record every result before stopping'));
      assert.ok(said, lines.join('\n'));
      assert.match(said, / jobs=1 /);
      assert.match(said, new RegExp(`job_ids=\\[${id}\\]`));
    } finally {
      await own.cleanup();
    }
  });

  test('jobs a claim leased whose answer never came are handed back at once, attempt not spent, and run', async () => {
    const own = await createSqliteTestStore();
    const { holder } = await loadRegistry(dir, [{ name: 'quick', execution_type: 'noop', runner_config: { sleep_ms: 0 } }]);
    const lines: string[] = [];
    const claim = own.store.claim.bind(own.store);
    let claims = 0;
    own.store.claim = async (request) => {
      const claimed = await claim(request);
      // The first claim commits, and its answer is lost on the way back, as when the connection dies then.
      if (++claims === 1 && claimed.length > 0) throw new Error('Connection terminated unexpectedly');
      return claimed;
    };
    // A lease far longer than the test waits: the job must not come back through the watchdog.
    const engine = new Engine({ store: own.store, registry: holder, concurrency: 2, leaseMs: 60_000, pollMs: 20, env: {}, log: lineLogger((l) => lines.push(l)) });
    try {
      const id = await enqueueOne(own.store, 'quick', 'noop', 1);
      await engine.start();
      const done = await waitForStatus(own.store, id, 'completed', 5000);
      assert.equal(done.attempts, 1, 'the lost claim spent no attempt: max_attempts 1 still ran');
      assert.deepEqual((await own.store.listAttempts(id)).map((a) => a.outcome), ['completed'], 'handed back unstarted: no attempt of it is recorded');
      assert.ok(lines.some((l) => l.includes('handing back jobs a claim leased whose answer never came') && l.includes(`job_ids=[${id}]`)), lines.join('\n'));
    } finally {
      await engine.stop({ graceMs: 0 });
      await own.cleanup();
    }
  });

  test('a result the store refuses, even as failed, is taken back by its own watchdog once its lease runs out, not held forever', async () => {
    const own = await createSqliteTestStore();
    const { holder } = await loadRegistry(dir, [{ name: 'quick', execution_type: 'noop', runner_config: { sleep_ms: 0 } }]);
    // A settle that no retry will land: not the store away (a transient StoreError) but a statement refused.
    const store = storeWith(own.store, { settle: () => Promise.reject(new Error('CHECK constraint failed: tb_job_run')) });
    const lines: string[] = [];
    const engine = new Engine({ store, registry: holder, concurrency: 1, leaseMs: 600, pollMs: 20, env: {}, log: lineLogger((l) => lines.push(l)) });
    try {
      const id = await enqueueOne(own.store, 'quick', 'noop', 1);
      await engine.start();
      await waitFor('the store to refuse the job as failed too', () => lines.some((l) => l.startsWith('error the store refused to record the job as failed too') && l.includes(` job_id=${id} `)));
      const back = await waitFor("this worker's watchdog to take the job back", async () => {
        const job = await jobOf(own.store, id);
        return job.status === 'running' ? undefined : job;
      }, 8000);
      assert.equal(back.status, 'failed', 'max_attempts 1: the lost attempt was its last');
      assert.deepEqual((await own.store.listAttempts(id)).map((a) => a.outcome), ['lost']);
    } finally {
      await engine.stop({ graceMs: 0 });
      await own.cleanup();
    }
  });

  test('a job stopped because the store went away goes back once it answers, attempt not spent, though its lease ran out meanwhile and its own watchdog ran', async () => {
    const own = await createSqliteTestStore();
    const { holder } = await loadRegistry(dir, [{ name: 'slow', execution_type: 'noop', runner_config: {} }]);
    let up = true;
    // As PostgreSQL's store tells an outage: a failure that passes by itself.
    const away = () => Promise.reject(new StoreError('unreachable', 'cannot reach PostgreSQL at 127.0.0.1:5432: connection refused', 'is the server running?', { transient: true }));
    const extend = own.store.extendLeases.bind(own.store);
    own.store.extendLeases = async (workerId, jobIds, ms) => (up ? extend(workerId, jobIds, ms) : away());
    const claim = own.store.claim.bind(own.store);
    own.store.claim = async (request) => (up ? claim(request) : away());
    const settle = own.store.settle.bind(own.store);
    own.store.settle = async (settlements) => (up ? settle(settlements) : away());
    // The watchdog alone reaches the store: the order in which the store answers again is not up to the
    // worker, and its own reclaim past the lease must leave the job to its settle.
    const reclaim = own.store.reclaimExpired.bind(own.store);
    let leaseEnds = Infinity;
    let reclaimsPastLease = 0;
    own.store.reclaimExpired = async (now, settling) => {
      const result = await reclaim(now, settling);
      if (Date.now() > leaseEnds) reclaimsPastLease++;
      return result;
    };
    const lines: string[] = [];
    const leaseMs = 2000;
    const engine = new Engine({ store: own.store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 1, leaseMs, pollMs: 20, env: {}, log: lineLogger((l) => lines.push(l)) });
    try {
      await engine.start();
      const id = await enqueueOne(own.store, 'slow', 'noop', 1, { sleep_ms: 60_000 });
      await waitForStatus(own.store, id, 'running');
      up = false;
      await waitFor('the job to be stopped unconfirmed', () => lines.some((l) => l.includes('could not extend the lease of a job')), 8000);
      await waitFor('the job to leave the worker', () => engine.inFlight().length === 0, 5000);
      const stoppedBy = Date.now();
      leaseEnds = Date.parse((await jobOf(own.store, id)).lease_expires_at ?? '');
      await waitFor("this worker's watchdog to run after the lease ran out", () => reclaimsPastLease >= 2, 8000);
      assert.equal((await jobOf(own.store, id)).status, 'running', 'left to the settle still to come');
      up = true;
      const again = await waitFor('the job to run again', async () => {
        const attempts = await own.store.listAttempts(id);
        return attempts.length === 2 ? attempts : undefined;
      }, 5000);
      const [stopped, rerun] = again;
      assert.ok(stopped && rerun);
      assert.equal(stopped.outcome, 'interrupted', 'the attempt ran, and was stopped: not handed back as unstarted, nor lost');
      assert.match(stopped.error_message ?? '', /^its worker lost the store \(no lease extension confirmed for \d+ s\) and stopped it before its lease ran out; back to pending, attempt not spent$/);
      assert.ok(Date.parse(stopped.finished_at ?? '') <= stoppedBy, `ended ${stopped.finished_at}, when its program stopped, not when the store answered`);
      assert.equal(rerun.attempt, 1, 'max_attempts 1 runs again: the stopped attempt was not spent');
      const said = await waitFor('the settle to be logged', () => lines.find((l) => l.includes(` job_id=${id} `) && l.includes('back to pending, attempt not spent') && l.startsWith('warn job stopped')), 5000);
      assert.match(said, /^warn job stopped while the store was unreachable: back to pending, attempt not spent /);
      assert.ok(!lines.some((l) => l.includes('took back jobs') || l.includes('handing back jobs a claim leased')), lines.join('\n'));
    } finally {
      await engine.stop({ graceMs: 0 });
      await own.cleanup();
    }
  });

  /**
   * The store stops confirming this worker's leases, by failing the call or by never answering it, as
   * when the network to the database goes: the job's process must be gone while its last confirmed
   * lease still holds, so no other worker's watchdog can have taken the job yet.
   */
  async function leaseFencing(unconfirmed: 'fails' | 'never answers' | 'fails once, then never answers'): Promise<void> {
    const own = await createSqliteTestStore();
    // Long enough that a loaded machine's late timers (two cores shared by a whole test run) do not eat the
    // third of a lease the engine keeps as its margin; the assertion below is the same at any length.
    const leaseMs = 3000;
    const marker = path.join(dir, `fence-${unconfirmed.replace(/\W+/g, '-')}`);
    const { holder } = await loadRegistry(dir, [
      {
        name: 'fenced',
        execution_type: 'shell',
        runner_config: { command: ['/bin/sh', '-c', 'echo $$ > "$1.pid"; exec /bin/sleep 30', 'sh'], payload_args: true, working_directory: dir },
        security_policy: { allowed_commands: ['/bin/sh'], allowed_roots: [dir] },
      },
    ]);
    const extend = own.store.extendLeases.bind(own.store);
    let confirmedSentAt = 0;
    let confirming = true;
    let unconfirmedCalls = 0;
    own.store.extendLeases = async (workerId, jobIds, ms) => {
      if (!confirming) {
        unconfirmedCalls++;
        if (unconfirmed === 'fails' || (unconfirmed === 'fails once, then never answers' && unconfirmedCalls === 1)) throw new Error('connection refused');
        return new Promise<number[]>(() => {});
      }
      const sentAt = Date.now();
      const held = await extend(workerId, jobIds, ms);
      confirmedSentAt = sentAt;
      return held;
    };
    // The stopped job's settle waits until the store has been looked at as another worker would see it when
    // the job was gone: landing first, it would put the job back to pending before the test reads it.
    let looked!: () => void;
    const lookedAt = new Promise<void>((resolve) => (looked = resolve));
    const settle = own.store.settle.bind(own.store);
    own.store.settle = async (settlements) => {
      await lookedAt;
      return settle(settlements);
    };
    const lines: string[] = [];
    const engine = new Engine({ store: own.store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 1, leaseMs, pollMs: 20, env: {}, log: lineLogger((l) => lines.push(l)) });
    try {
      await engine.start();
      const id = await enqueueOne(own.store, 'fenced', 'shell', 3, { args: [marker] });
      const pid = await pidOf(marker);
      await waitFor('a lease extension to be confirmed', () => confirmedSentAt > 0);
      confirming = false;
      await waitFor(`the job's process (pid ${pid}) to be stopped`, async () => !(await processAlive(pid)), 5000);
      const goneBy = Date.now();
      assert.ok(goneBy < confirmedSentAt + leaseMs, `stopped ${goneBy - confirmedSentAt} ms after the last confirmed extension was sent; the lease is ${leaseMs} ms`);
      // Another worker's watchdog at that moment finds nothing to take: the lease still held.
      assert.deepEqual((await own.store.reclaimExpired(new Date(goneBy))).retried, []);
      assert.equal((await jobOf(own.store, id)).status, 'running');
      assert.ok(lines.some((l) => l.startsWith('warn could not extend the lease of a job') && l.includes(` job_id=${id} `)), lines.join('\n'));
      looked();
      // Its worker knew why it stopped the job, and says so once the settle lands: interrupted, not lost.
      const stopped = await waitFor('the stopped attempt to be recorded', async () => {
        const [first] = await own.store.listAttempts(id);
        return first?.outcome === 'running' ? undefined : first;
      }, 5000);
      assert.equal(stopped.outcome, 'interrupted');
    } finally {
      looked();
      await engine.stop({ graceMs: 0 });
      await own.cleanup();
    }
  }

  test('a worker whose lease extensions fail stops its jobs before their leases run out', async () => {
    await leaseFencing('fails');
  });

  test('a worker whose lease extensions go unanswered stops its jobs before their leases run out', async () => {
    await leaseFencing('never answers');
  });

  test('a worker whose lease extension fails once and then goes unanswered stops its jobs before their leases run out', async () => {
    await leaseFencing('fails once, then never answers');
  });

  test('jobs claimed ahead are handed back, attempt not spent, when the leases go unconfirmed', async () => {
    const own = await createSqliteTestStore();
    const { holder } = await loadRegistry(dir, [{ name: 'mixed', execution_type: 'noop', runner_config: { sleep_ms: 0 } }]);
    let confirming = true;
    const extend = own.store.extendLeases.bind(own.store);
    own.store.extendLeases = async (workerId, jobIds, ms) => {
      if (!confirming) throw new Error('connection refused');
      return extend(workerId, jobIds, ms);
    };
    const engine = new Engine({ store: own.store, registry: holder, concurrency: 1, leaseMs: 1500, pollMs: 20, env: {} });
    try {
      // Enough short jobs that the dispatcher claims ahead, then one that holds the only slot while the
      // jobs claimed with it wait in the buffer.
      const quick = (n: number) => Array.from({ length: n }, () => ({ queue: 'default', service_name: 'mixed', execution_type: 'noop' as const, max_attempts: 3 }));
      await own.store.enqueue(quick(30));
      const [slow] = await own.store.enqueue([{ queue: 'default', service_name: 'mixed', execution_type: 'noop', max_attempts: 3, payload: { sleep_ms: 60_000 } }]);
      const behind = await own.store.enqueue(quick(10));
      assert.ok(slow);
      await engine.start();
      await waitFor('the slow job to hold the slot, the jobs behind it claimed ahead', async () => {
        const statuses = await Promise.all(behind.map(async (r) => (await jobOf(own.store, r.id)).status));
        return engine.inFlight().some((j) => j.jobId === slow.id) && statuses.every((st) => st === 'running');
      });
      confirming = false;
      // Stopped, it is settled as interrupted and may be claimed again at once: its attempt row says it was.
      await waitFor('the slow job to be stopped', async () => (await own.store.listAttempts(slow.id)).some((a) => a.outcome === 'interrupted'), 5000);
      for (const { id } of behind) {
        const job = await waitForStatus(own.store, id, 'completed', 5000);
        assert.equal(job.attempts, 1, `job ${id}: handing it back spent no attempt`);
        // Claims still work here while extensions fail, so a job may be claimed ahead and handed back
        // again at each failed extension before it gets to run: none of those is recorded as an attempt.
        // One that had started when an extension failed was stopped as it ran: that attempt is recorded.
        const outcomes = (await own.store.listAttempts(id)).map((a) => a.outcome);
        assert.equal(outcomes.at(-1), 'completed', outcomes.join(', '));
        assert.ok(outcomes.slice(0, -1).every((o) => o === 'interrupted'), outcomes.join(', '));
      }
    } finally {
      await engine.stop({ graceMs: 0 });
      await own.cleanup();
    }
  });
});
