import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRunners } from '../runners/registry.ts';
import { aborted, abortReason } from '../runners/result.ts';
import type { Runner } from '../runners/runner.ts';
import type { Store } from '../store/store.ts';
import { startFakeDocker } from '../runners/testing/fakeDocker.ts';
import { startFakeLambda } from '../runners/testing/fakeLambda.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { Engine } from './engine.ts';
import type { TestServer } from './testing/harness.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import {
  actor,
  enqueueOne,
  httpServer,
  jobOf,
  loadRegistry,
  processAlive,
  tempDir,
  waitFor,
  waitForStatus,
} from './testing/harness.ts';

const fastRetry = { max_retries: 3, backoff_factor: 2, initial_backoff: 0.01, max_backoff: 0.05 };

describe('engine on SQLite', () => {
  let store: Store;
  let cleanupStore: () => Promise<void>;
  let dir: string;
  let cleanupDir: () => Promise<void>;
  const engines: Engine[] = [];
  const servers: TestServer[] = [];

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
    await Promise.all(servers.map((s) => s.close()));
    await cleanupStore();
    await cleanupDir();
  });

  type EngineOpts = { concurrency?: number; pollMs?: number; env?: Record<string, string>; store?: Store };

  async function engineFor(services: unknown[], opts: EngineOpts = {}): Promise<Engine> {
    const { holder } = await loadRegistry(dir, services);
    return engineWith(holder, opts);
  }

  async function engineWith(holder: Awaited<ReturnType<typeof loadRegistry>>['holder'], opts: EngineOpts = {}): Promise<Engine> {
    const engine = new Engine({
      store: opts.store ?? store,
      registry: holder,
      runners: createRunners({ killGraceMs: 300 }),
      concurrency: opts.concurrency ?? 8,
      leaseMs: 2000,
      pollMs: opts.pollMs ?? 20,
      env: { PATH: process.env.PATH, ...opts.env },
    });
    engines.push(engine);
    await engine.start();
    return engine;
  }

  async function stopAll(): Promise<void> {
    await Promise.all(engines.splice(0).map((e) => e.stop({ graceMs: 0 })));
  }

  async function server(respond: Parameters<typeof httpServer>[0]): Promise<TestServer> {
    const s = await httpServer(respond);
    servers.push(s);
    return s;
  }

  test('a retryable failure is retried with backoff until it succeeds', async () => {
    const api = await server((n, _req, res) => {
      res.writeHead(n <= 2 ? 503 : 200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await engineFor([
      { name: 'flaky', execution_type: 'http', runner_config: { base_url: api.url, method: 'POST' }, retry_config: fastRetry },
    ]);
    const id = await enqueueOne(store, 'flaky', 'http', 4);
    const job = await waitForStatus(store, id, 'completed');
    assert.equal(job.attempts, 3);
    const attempts = await store.listAttempts(id);
    assert.deepEqual(
      attempts.map((a) => a.outcome),
      ['failed', 'failed', 'completed'],
    );
    assert.equal(api.requests, 3);
    await stopAll();
  });

  test('a non-retryable error fails at once with its message', async () => {
    const api = await server((_n, _req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('field "amount" is required');
    });
    await engineFor([
      { name: 'strict', execution_type: 'http', runner_config: { base_url: api.url }, retry_config: fastRetry },
    ]);
    const bad = await enqueueOne(store, 'strict', 'http', 4);
    const badJob = await waitForStatus(store, bad, 'failed');
    assert.equal(badJob.attempts, 1);
    assert.match(badJob.error_message ?? '', /400/);
    assert.ok(badJob.error_fingerprint);
    await stopAll();
  });

  test('a job whose service this worker lacks goes back unrun, attempt not spent, and runs on a worker that has it (a rolling deploy)', async () => {
    const claimedIds: number[] = [];
    const watched = storeWith(store, {
      claim: async (request) => {
        const claimed = await store.claim(request);
        claimedIds.push(...claimed.map((j) => j.id));
        return claimed;
      },
    });
    const engine = await engineFor([{ name: 'other', execution_type: 'noop', runner_config: {} }], { pollMs: 50, store: watched });
    const moved = await enqueueOne(store, 'fresh', 'noop', 1);
    const mine = await enqueueOne(store, 'other', 'noop', 1);
    await waitForStatus(store, mine, 'completed');
    await waitFor('the job to be claimed and handed back', async () => claimedIds.includes(moved) && (await jobOf(store, moved)).status === 'pending');
    // The worker leaves the job to others from then on: many polls later it has not claimed it again.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(claimedIds.filter((id) => id === moved).length, 1, 'claimed once, then left out of its claims');
    const waiting = await jobOf(store, moved);
    assert.equal(waiting.status, 'pending');
    assert.equal(waiting.attempts, 0, 'its only attempt is still to come');
    assert.equal(waiting.started_at, null, 'it never started');
    assert.deepEqual(await store.listAttempts(moved), [], 'handed back unstarted: no attempt is recorded');
    await engine.runUntilEmpty();
    // The worker without the service leaves; the upgraded one arrives.
    await stopAll();
    await engineFor([{ name: 'fresh', execution_type: 'noop', runner_config: {} }]);
    const done = await waitForStatus(store, moved, 'completed', 20_000);
    assert.equal(done.attempts, 1);
    await stopAll();
  });

  test('Retry-After from a 429 decides when the retry runs', async () => {
    const api = await server((n, _req, res) => {
      if (n === 1) res.writeHead(429, { 'retry-after': '1' }).end('slow down');
      else res.writeHead(200).end('ok');
    });
    await engineFor([
      { name: 'limited', execution_type: 'http', runner_config: { base_url: api.url }, retry_config: fastRetry },
    ]);
    const id = await enqueueOne(store, 'limited', 'http', 4);
    const waiting = await waitFor('the first attempt to be recorded', async () => {
      const job = await jobOf(store, id);
      return job.status === 'pending' && job.attempts === 1 ? job : null;
    });
    const [first] = await store.listAttempts(id);
    assert.ok(first?.finished_at);
    const wait = Date.parse(waiting.run_at) - Date.parse(first.finished_at);
    // The computed backoff is at most 50 ms here: a wait near a second can only be the Retry-After
    // (measured from when the store recorded the attempt, a little after the engine planned the retry).
    assert.ok(wait >= 500 && wait <= 1000, `retry scheduled ${wait} ms after the 429; Retry-After asked for 1000`);
    await waitForStatus(store, id, 'completed');
    assert.equal(api.requests, 2);
    await stopAll();
  });

  test('a shell job past its timeout is timed out and its whole process tree killed', async () => {
    const pidFile = path.join(dir, 'grandchild.pid');
    await engineFor([
      {
        name: 'hang',
        execution_type: 'shell',
        timeout: 0.5,
        runner_config: { command: ['/bin/sh', '-c', '/bin/sleep 30 & echo $! > "$1"; wait', 'sh'], payload_args: true, working_directory: dir },
        security_policy: { allowed_commands: ['/bin/sh'], allowed_roots: [dir] },
        retry_config: { max_retries: 0 },
      },
    ]);
    const id = await enqueueOne(store, 'hang', 'shell', 1, { args: [pidFile] });
    const job = await waitForStatus(store, id, 'failed');
    const [attempt] = await store.listAttempts(id);
    assert.equal(attempt?.outcome, 'timed_out');
    assert.ok(job.error_message);
    assert.ok(existsSync(pidFile), 'the job started its background process');
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    assert.ok(pid > 0);
    await waitFor(`process ${pid} to be gone`, async () => !(await processAlive(pid)), 5000);
    await stopAll();
  });

  test('a runner that ignores its deadline is stopped by the engine when the timeout passes', async () => {
    const { holder } = await loadRegistry(dir, [
      { name: 'deaf', execution_type: 'noop', timeout: 0.3, retry_config: { max_retries: 0 }, runner_config: {} },
    ]);
    // Waits for its signal and nothing else: only the engine's own deadline can end it.
    const deaf: Runner = {
      kind: 'noop',
      run: ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(aborted(abortReason(signal), 0.3)), { once: true })),
      probe: async () => ({ ok: true, detail: 'test' }),
    };
    const runners = createRunners();
    runners.set('noop', deaf);
    const engine = new Engine({ store, registry: holder, runners, concurrency: 2, leaseMs: 2000, pollMs: 20 });
    engines.push(engine);
    await engine.start();
    const started = Date.now();
    const id = await enqueueOne(store, 'deaf', 'noop', 1);
    await waitForStatus(store, id, 'failed');
    const took = Date.now() - started;
    const [attempt] = await store.listAttempts(id);
    assert.equal(attempt?.outcome, 'timed_out');
    assert.ok(took >= 300, `stopped after ${took} ms, before its timeout`);
    await stopAll();
  });

  test('an open breaker holds jobs pending without spending attempts; a half-open probe closes it', async () => {
    const state = { up: false };
    const api = await server((_n, _req, res) => {
      res.writeHead(state.up ? 200 : 503).end(state.up ? 'ok' : 'down');
    });
    await engineFor([
      {
        name: 'fragile',
        execution_type: 'http',
        runner_config: { base_url: api.url },
        retry_config: { max_retries: 0 },
        circuit_breaker: { failure_threshold: 2, minimum_volume: 2, recovery_timeout: 2, window: 60, half_open_probes: 1 },
      },
    ]);
    const failing = [await enqueueOne(store, 'fragile', 'http', 1), await enqueueOne(store, 'fragile', 'http', 1)];
    for (const id of failing) await waitForStatus(store, id, 'failed');
    await waitFor('the breaker to open', async () => (await store.getBreaker('fragile'))?.state === 'open');
    const held: number[] = [];
    for (let i = 0; i < 3; i++) held.push(await enqueueOne(store, 'fragile', 'http', 1));
    await new Promise((r) => setTimeout(r, 200));
    for (const id of held) {
      const job = await jobOf(store, id);
      assert.equal(job.status, 'pending');
      assert.equal(job.attempts, 0);
    }
    assert.equal(api.requests, 2, 'nothing reached the service while the breaker was open');
    state.up = true;
    for (const id of held) {
      const job = await waitForStatus(store, id, 'completed');
      assert.equal(job.attempts, 1);
    }
    assert.equal((await store.getBreaker('fragile'))?.state, 'closed');
    assert.equal(api.requests, 5);
    const audit = await store.listAudit({ action: 'breaker.transition' }, { limit: 20 });
    assert.ok(audit.items.length >= 3, 'open, half_open and closed are audited');
    await stopAll();
  });

  test('a probe cancelled while its slot is being reserved never ran: cancelled, with no attempt recorded or spent', async () => {
    let held: Promise<undefined> | null = null;
    let reserving = false;
    let cancelSeen = false;
    const watched = storeWith(store, {
      // The worker asks which of its jobs an operator cancelled, and stops them as soon as it hears.
      cancelRequested: async (workerId) => {
        const ids = await store.cancelRequested(workerId);
        if (ids.length > 0) cancelSeen = true;
        return ids;
      },
      // The probe's slot is taken with a save of its breaker: held here while the operator cancels.
      saveBreaker: async (record, transition) => {
        if (held && record.probes_in_flight > 0) {
          reserving = true;
          await held;
        }
        return store.saveBreaker(record, transition);
      },
    });
    await engineFor(
      [{ name: 'shaky', execution_type: 'shell', runner_config: { command: ['/bin/sh', '-c', 'exit 1'] }, security_policy: { allowed_commands: ['/bin/sh'] }, retry_config: { max_retries: 0 },
        circuit_breaker: { failure_threshold: 1, minimum_volume: 1, recovery_timeout: 0.2, window: 60, half_open_probes: 1 } }],
      { pollMs: 20, store: watched },
    );
    await waitForStatus(store, await enqueueOne(store, 'shaky', 'shell', 1), 'failed');
    await waitFor('the breaker to open', async () => (await store.getBreaker('shaky'))?.state === 'open');
    const { promise: hold, resolve: release } = Promise.withResolvers<undefined>();
    held = hold;
    await new Promise((r) => setTimeout(r, 300));
    const probe = await enqueueOne(store, 'shaky', 'shell', 1);
    await waitFor('the probe slot to be reserved', () => reserving);
    assert.equal((await store.cancelJob(probe, actor, 'not now'))?.job.cancel_requested, true);
    await waitFor('the worker to hear of the cancel', () => cancelSeen);
    release(undefined);
    const cancelled = await waitForStatus(store, probe, 'cancelled');
    assert.equal(cancelled.attempts, 0, 'no attempt spent');
    assert.equal(cancelled.started_at, null, 'it never started');
    assert.deepEqual(await store.listAttempts(probe), [], 'no attempt recorded');
    await stopAll();
  });

  test('a forced-open breaker holds jobs until it returns to auto', async () => {
    await engineFor([{ name: 'held', execution_type: 'noop', runner_config: { sleep_ms: 0 } }]);
    await store.setBreakerModeIfItChanges('held', 'force_open', actor, 'maintenance');
    await new Promise((r) => setTimeout(r, 100));
    const id = await enqueueOne(store, 'held', 'noop', 3);
    await new Promise((r) => setTimeout(r, 200));
    const job = await jobOf(store, id);
    assert.equal(job.status, 'pending');
    assert.equal(job.attempts, 0);
    await store.setBreakerModeIfItChanges('held', 'auto', actor, null);
    const done = await waitForStatus(store, id, 'completed');
    assert.equal(done.attempts, 1);
    await stopAll();
  });

  test('runUntilEmpty returns once nothing is runnable and nothing is in flight', async () => {
    const { holder } = await loadRegistry(dir, [{ name: 'quick', execution_type: 'noop', runner_config: { sleep_ms: 1 } }]);
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push(await enqueueOne(store, 'quick', 'noop', 1));
    const engine = new Engine({ store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 4, pollMs: 20 });
    await engine.runUntilEmpty();
    for (const id of ids) assert.equal((await jobOf(store, id)).status, 'completed');
    assert.deepEqual(engine.inFlight(), []);
    const [worker] = (await store.listWorkers(60_000)).filter((w) => w.id === engine.workerId);
    assert.equal(worker?.state, 'stopped');
  });

  test('waiting for a stopped worker to run until empty returns: nothing more will run', async () => {
    const { holder } = await loadRegistry(dir, [{ name: 'quick', execution_type: 'noop', runner_config: {} }]);
    const engine = new Engine({ store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 2, pollMs: 20 });
    await engine.start();
    await engine.stop({ graceMs: 0 });
    const returned = await Promise.race([engine.runUntilEmpty().then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 3000))]);
    assert.equal(returned, true);
  });

  test('a worker forgotten while it still runs registers again at its next heartbeat', async () => {
    const engine = await engineFor([{ name: 'quick', execution_type: 'noop', runner_config: {} }]);
    const row = async () => (await store.listWorkers(60_000)).find((w) => w.id === engine.workerId) ?? null;
    const first = await row();
    assert.ok(first);
    // Lost after 0 ms: as if its heartbeats had stopped for good, which a long pause looks like (a worker
    // registered in the same millisecond is not lost yet, hence the pause). Its next heartbeat may come at
    // any moment, so the proof it was forgotten is a new registration, not a gap in the list.
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal((await store.forgetWorker(engine.workerId, 0, actor))?.outcome, 'forgotten');
    const again = await waitFor('the worker to be registered again', async () => {
      const current = await row();
      return current !== null && current.started_at !== first.started_at ? current : null;
    }, 5000);
    assert.ok(Date.parse(again.started_at) > Date.parse(first.started_at), 'a registration of its own, after the forget');
    await stopAll();
  });

  test('an operator cancel stops a running job', async () => {
    const engine = await engineFor([
      {
        name: 'slow',
        execution_type: 'shell',
        runner_config: { command: ['/bin/sleep', '30'], working_directory: dir },
        security_policy: { allowed_commands: ['/bin/sleep'], allowed_roots: [dir] },
      },
    ]);
    const id = await enqueueOne(store, 'slow', 'shell', 3);
    await waitForStatus(store, id, 'running');
    await waitFor('the job to be in flight', () => engine.inFlight().some((j) => j.jobId === id));
    await store.cancelJob(id, actor, 'wrong input');
    const job = await waitForStatus(store, id, 'cancelled');
    assert.equal(job.attempts, 1);
    await stopAll();
  });

  test('an emergency stop interrupts shell, HTTP, Docker and Lambda jobs without spending attempts; resume runs them', async () => {
    const marker = path.join(dir, 'stop-marker');
    const hold = { http: true, lambda: true };
    const api = await server((_n, _req, res) => {
      if (!hold.http) res.writeHead(200).end('ok');
    });
    const docker = await startFakeDocker({ images: ['alpine:3.20'] });
    const lambda = await startFakeLambda({
      functions: { gate: (event) => (hold.lambda ? { kind: 'hang' } : { kind: 'result', body: { done: event } }) },
    });
    try {
      const services = (dockerCommand: string[]) => [
        {
          name: 'sleeper',
          execution_type: 'shell',
          runner_config: { command: ['/bin/sh', '-c', 'if [ -f "$1" ]; then exit 0; fi; exec /bin/sleep 60', 'sh'], payload_args: true, working_directory: dir },
          security_policy: { allowed_commands: ['/bin/sh'], allowed_roots: [dir] },
        },
        { name: 'webhook', execution_type: 'http', runner_config: { base_url: api.url, timeout: 60 } },
        {
          name: 'container',
          execution_type: 'docker',
          runner_config: { image: 'alpine:3.20', command: dockerCommand, socket_path: docker.socketPath },
          security_policy: { allowed_images: ['alpine:3.20'] },
        },
        {
          name: 'fn',
          execution_type: 'serverless',
          runner_config: {
            provider: 'aws_lambda',
            function_name: 'gate',
            region: 'us-east-1',
            endpoint: lambda.endpoint,
            access_key_env_var: 'FAKE_KEY',
            secret_key_env_var: 'FAKE_SECRET',
          },
        },
      ];
      const { holder } = await loadRegistry(dir, services(['sleep', '60']));
      await engineWith(holder, { concurrency: 60, env: { FAKE_KEY: 'AKIAFAKE', FAKE_SECRET: 'fake-secret' } });
      const ids: number[] = [];
      for (let i = 0; i < 50; i++) ids.push(await enqueueOne(store, 'sleeper', 'shell', 3, { args: [marker] }));
      ids.push(await enqueueOne(store, 'webhook', 'http', 3));
      ids.push(await enqueueOne(store, 'container', 'docker', 3));
      ids.push(await enqueueOne(store, 'fn', 'serverless', 3, { order: 7 }));
      await waitFor('every job to be running', async () => {
        for (const id of ids) if ((await jobOf(store, id)).status !== 'running') return false;
        return api.requests === 1 && lambda.invocations.length === 1 && [...docker.containers.values()].some((c) => c.state === 'running');
      });

      await store.setEmergencyStop(true, actor, 'incident');
      for (const id of ids) {
        const job = await waitForStatus(store, id, 'pending', 5000);
        assert.equal(job.attempts, 0, `job ${id}: an interrupted attempt is not spent`);
        assert.deepEqual((await store.listAttempts(id)).map((a) => a.outcome), ['interrupted']);
      }
      assert.ok([...docker.containers.values()].every((c) => c.killed || c.state === 'exited'), 'the container was killed');

      hold.http = false;
      hold.lambda = false;
      await writeFile(marker, '');
      const again = await loadRegistry(dir, services(['echo', 'done']));
      await holder.loadFile(again.file);
      await new Promise((r) => setTimeout(r, 100));
      for (const id of ids) assert.equal((await jobOf(store, id)).status, 'pending', 'nothing starts while stopped');

      await store.setEmergencyStop(false, actor, null);
      for (const id of ids) {
        const job = await waitForStatus(store, id, 'completed');
        assert.equal(job.attempts, 1);
      }
      await stopAll();
    } finally {
      await docker.close();
      await lambda.close();
    }
  });

  test('a service concurrency cap holds across the claim: never more than that many at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const api = await server((_n, _req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200).end('ok');
      }, 60);
    });
    await engineFor([{ name: 'capped', execution_type: 'http', concurrency: 2, runner_config: { base_url: api.url } }], { concurrency: 8 });
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await enqueueOne(store, 'capped', 'http', 1));
    for (const id of ids) await waitForStatus(store, id, 'completed');
    assert.equal(api.requests, 6);
    assert.equal(peak, 2);
    await stopAll();
  });

  // A poll interval longer than the test's wait: each job below can start only because the engine was
  // woken, when a job of its service finished or when its queue was resumed.
  const NEVER_POLLS = 600_000;

  test('a job held back by its service\'s concurrency or max_concurrent starts when one of its jobs finishes, not at the next poll', async () => {
    await engineFor(
      [
        { name: 'one-at-a-time', execution_type: 'noop', concurrency: 1, runner_config: { sleep_ms: 30 } },
        { name: 'gated', execution_type: 'noop', max_concurrent: 1, runner_config: { sleep_ms: 30 } },
      ],
      { concurrency: 8, pollMs: NEVER_POLLS },
    );
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await enqueueOne(store, 'one-at-a-time', 'noop', 1), await enqueueOne(store, 'gated', 'noop', 1));
    for (const id of ids) await waitForStatus(store, id, 'completed');
    await stopAll();
  });

  test('a resumed queue\'s jobs start at once, not at the next poll', async () => {
    await engineFor([{ name: 'later', execution_type: 'noop', queue: 'reports', runner_config: {} }], { pollMs: NEVER_POLLS });
    await store.setQueuePaused('reports', true, actor, null);
    const [enqueued] = await store.enqueue([{ queue: 'reports', service_name: 'later', execution_type: 'noop', max_attempts: 1 }]);
    const held = enqueued?.id ?? 0;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await jobOf(store, held)).status, 'pending');
    await store.setQueuePaused('reports', false, actor, null);
    await waitForStatus(store, held, 'completed');
    await stopAll();
  });

  test('safe mode stops dispatch but lets running jobs finish; a paused queue waits for resume', async () => {
    const gate = { open: false };
    const waiting: Array<() => void> = [];
    const api = await server((_n, _req, res) => {
      const answer = () => res.writeHead(200).end('ok');
      if (gate.open) answer();
      else waiting.push(answer);
    });
    const engine = await engineFor([
      { name: 'drain', execution_type: 'http', runner_config: { base_url: api.url } },
      { name: 'later', execution_type: 'noop', queue: 'reports', runner_config: {} },
    ]);
    const workerStates: string[] = [];
    engine.on('worker', (w) => workerStates.push(w.state));
    const running = await enqueueOne(store, 'drain', 'http', 3);
    await waitForStatus(store, running, 'running');
    await store.setSafeMode(true, actor, 'deploy');
    // Held by safe mode, not draining: the worker is not stopping, and takes jobs again once it is off.
    await waitFor('the engine to be held', () => workerStates.includes('held'));
    await waitFor('its heartbeat to tell the store', async () => (await store.listWorkers(10_000)).find((w) => w.id === engine.workerId)?.state === 'held');
    assert.ok(!workerStates.includes('draining'), 'safe mode is no stop');
    const held = await enqueueOne(store, 'drain', 'http', 3);
    gate.open = true;
    for (const answer of waiting.splice(0)) answer();
    const done = await waitForStatus(store, running, 'completed');
    assert.equal(done.attempts, 1, 'the running job finished on its first attempt');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await jobOf(store, held)).status, 'pending');
    await store.setSafeMode(false, actor, null);
    await waitForStatus(store, held, 'completed');
    await waitFor('the engine to run again', () => workerStates.at(-1) === 'running');
    await store.setEmergencyStop(true, actor, 'incident');
    await waitFor('the engine to be held by the emergency stop', () => workerStates.at(-1) === 'held');
    await store.setEmergencyStop(false, actor, null);
    await waitFor('the engine to run after the resume', () => workerStates.at(-1) === 'running');

    await store.setQueuePaused('reports', true, actor, null);
    const paused = await store.enqueue([{ queue: 'reports', service_name: 'later', execution_type: 'noop', max_attempts: 1 }]);
    const pausedId = paused[0]?.id ?? 0;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal((await jobOf(store, pausedId)).status, 'pending');
    await store.setQueuePaused('reports', false, actor, null);
    await waitForStatus(store, pausedId, 'completed');
    await stopAll();
  });
});
