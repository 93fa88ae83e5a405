import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createRuntime, type Runtime } from '../api/runtime.ts';
import { enqueueOne, httpServer, loadRegistry, tempDir, waitFor, type TestServer } from '../engine/testing/harness.ts';
import { createMetrics } from './metrics.ts';
import { startMetricsServer, type RunningMetricsServer } from './server.ts';
import { Scrape } from './testing/scrape.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';

/**
 * A worker's /metrics after a mixed run, fetched over HTTP and read by a Prometheus text-format parser:
 * the fleet's state from the store's kept counts, this process's engine from its events. On both stores.
 */
for (const dialect of ['sqlite', 'postgres'] as const) describe(`metrics of a worker after a mixed run (${dialect})`, () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pg: TestDatabase | null = null;
  let upstream: TestServer;
  let rt: Runtime;
  let server: RunningMetricsServer;
  let scrape: Scrape;

  before(async () => {
    tmp = await tempDir();
    upstream = await httpServer((_n, _req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('upstream broke');
    });
    const { file } = await loadRegistry(tmp.dir, [
      { name: 'quick', execution_type: 'noop', runner_config: { sleep_ms: 1 } },
      { name: 'limited', execution_type: 'noop', queue: 'limited', runner_config: { sleep_ms: 1 }, rate_limit: { limit: 10, per: '1h' }, max_concurrent: 2 },
      { name: 'refused', execution_type: 'noop', queue: 'batch', runner_config: { fail: true, fail_retryable: false, fail_message: 'no such thing' } },
      {
        name: 'upstream',
        execution_type: 'http',
        runner_config: { base_url: upstream.url, method: 'POST' },
        retry_config: { max_retries: 1, backoff_factor: 1, max_backoff: 0.01 },
        circuit_breaker: { failure_threshold: 100, recovery_timeout: 60 },
      },
    ]);
    const metrics = createMetrics();
    pg = dialect === 'postgres' ? await createTestDatabase({ migrated: true }) : null;
    rt = await createRuntime({ words: CONSOLE_WORDS, db: pg?.url ?? `${tmp.dir}/metrics.db`, registryPath: file, env: {}, execute: false, onEngine: (engine) => metrics.follow(engine), pollMs: 10 });
    const store = rt.ctx.store;
    for (let i = 0; i < 5; i++) await enqueueOne(store, 'quick', 'noop', 3);
    await store.enqueue([{ queue: 'batch', service_name: 'refused', execution_type: 'noop', max_attempts: 3, payload: {} }]);
    await enqueueOne(store, 'upstream', 'http', 2);
    await store.enqueue(Array.from({ length: 3 }, () => ({ queue: 'limited', service_name: 'limited', execution_type: 'noop' as const, max_attempts: 1, payload: {} })));
    await store.enqueue([{ queue: 'later', service_name: 'quick', execution_type: 'noop', max_attempts: 3, payload: {}, run_at: new Date(Date.now() + 3_600_000).toISOString() }]);
    await rt.ctx.settings.setLocalExecution?.(true);
    await waitFor('every due job to finish', async () => {
      const counts = await store.countsByQueueAndStatus();
      return counts.every((c) => (c.status !== 'pending' || c.queue === 'later') && c.status !== 'running');
    });
    // One job that is due and waiting: dispatch stops, so it stays pending and ages.
    await store.setSafeMode(true, { user: 'test', host: 'localhost' }, 'hold a due job');
    await enqueueOne(store, 'quick', 'noop', 3);
    await new Promise((r) => setTimeout(r, 1100));
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, render: () => metrics.render(rt.ctx) });
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    scrape = new Scrape(await res.text());
  });

  after(async () => {
    await server?.close();
    await rt?.close({ graceMs: 0 });
    await upstream?.close();
    await pg?.drop();
    await tmp?.cleanup();
  });

  it('a request target that is no URL at all is a 404, and the port goes on serving /metrics', async () => {
    const odd = await new Promise<number>((resolve, reject) => {
      get({ host: '127.0.0.1', port: server.port, path: '//[/' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(odd, 404);
    assert.equal((await fetch(server.url)).status, 200);
  });

  it('jobs by queue and status equal the store\'s kept counts, and the dead letters are counted', async () => {
    assert.equal(scrape.type('opsdeck_jobs'), 'GAUGE');
    const counts = await rt.ctx.store.countsByQueueAndStatus();
    assert.ok(counts.length >= 4, JSON.stringify(counts));
    for (const c of counts) assert.equal(scrape.value('opsdeck_jobs', { queue: c.queue, status: c.status }), c.count, `${c.queue}/${c.status}`);
    assert.equal(scrape.value('opsdeck_jobs', { queue: 'default', status: 'completed' }), 5);
    assert.equal(scrape.value('opsdeck_jobs', { queue: 'later', status: 'pending' }), 1);
    assert.equal(scrape.value('opsdeck_dead_letters'), 2);
    assert.equal(scrape.value('opsdeck_store_up'), 1);
  });

  it('counts results by service and outcome, failures by error class, dead letters, and attempt durations by type', () => {
    assert.equal(scrape.type('opsdeck_jobs_processed_total'), 'COUNTER');
    assert.equal(scrape.value('opsdeck_jobs_processed_total', { service: 'quick', execution_type: 'noop', outcome: 'completed' }), 5);
    assert.equal(scrape.value('opsdeck_jobs_processed_total', { service: 'refused', outcome: 'failed' }), 1);
    assert.equal(scrape.value('opsdeck_jobs_processed_total', { service: 'upstream', execution_type: 'http', outcome: 'retry' }), 1);
    assert.equal(scrape.value('opsdeck_jobs_processed_total', { service: 'upstream', outcome: 'failed' }), 1);
    assert.equal(scrape.value('opsdeck_jobs_failed_total', { service: 'upstream', error_class: 'http_500' }), 2);
    assert.equal(scrape.value('opsdeck_jobs_failed_total', { service: 'refused', error_class: 'noop' }), 1);
    assert.equal(scrape.value('opsdeck_jobs_dead_lettered_total', { service: 'upstream', error_class: 'http_500' }), 1);
    assert.equal(scrape.type('opsdeck_attempt_duration_seconds'), 'HISTOGRAM');
    assert.equal(scrape.value('opsdeck_attempt_duration_seconds_count', { execution_type: 'noop' }), 9, 'five quick, three limited, one refused');
    assert.equal(scrape.value('opsdeck_attempt_duration_seconds_bucket', { execution_type: 'noop', le: '+Inf' }), 9);
    assert.ok(scrape.value('opsdeck_attempt_duration_seconds_sum', { execution_type: 'noop' }) > 0);
    assert.equal(scrape.value('opsdeck_attempt_duration_seconds_count', { execution_type: 'http' }), 2);
  });

  it('times the engine\'s claims and settles, and counts what it claimed', () => {
    assert.ok(scrape.value('opsdeck_engine_claim_duration_seconds_count') >= 1);
    assert.ok(scrape.value('opsdeck_engine_settle_duration_seconds_count') >= 1);
    assert.equal(scrape.value('opsdeck_engine_claimed_jobs_total'), 11, 'five quick, three limited, one refused, the upstream job twice');
    assert.equal(scrape.value('opsdeck_engine_running_jobs'), 0);
  });

  it('shows the queue lag of a due job nobody runs, overall and by queue, the breakers, and the heartbeats', () => {
    const lag = scrape.value('opsdeck_queue_lag_seconds');
    assert.ok(lag >= 1 && lag < 60, `lag ${lag}`);
    const behind = scrape.value('opsdeck_queue_oldest_due_seconds', { queue: 'default' });
    assert.ok(behind >= 1 && behind < 60, `default queue behind by ${behind}`);
    assert.equal(scrape.value('opsdeck_queue_oldest_due_seconds', { queue: 'later' }), 0, 'its job is due in an hour');
    assert.equal(scrape.value('opsdeck_queue_oldest_due_read'), 1);
    assert.equal(scrape.value('opsdeck_circuit_breaker_state', { service: 'upstream', state: 'closed' }), 1);
    assert.equal(scrape.value('opsdeck_circuit_breaker_state', { service: 'upstream', state: 'open' }), 0);
    assert.equal(scrape.value('opsdeck_circuit_breaker_mode', { service: 'upstream', mode: 'auto' }), 1);
    const worker = rt.ctx.engine?.workerId ?? '';
    const age = scrape.value('opsdeck_worker_heartbeat_age_seconds', { worker });
    assert.ok(age >= 0 && age < 10, `heartbeat age ${age}`);
    const own = scrape.value('opsdeck_engine_heartbeat_age_seconds');
    assert.ok(own >= 0 && own < 10, `own heartbeat age ${own}`);
    assert.ok(scrape.families.has('process_resident_memory_bytes'), 'Node process metrics too');
  });

  it('shows each rate-limited service\'s use of its limit and of its concurrency cap', () => {
    assert.equal(scrape.value('opsdeck_rate_limit_used_ratio', { service: 'limited' }), 0.3, 'three starts of ten an hour');
    assert.equal(scrape.value('opsdeck_concurrency_used_ratio', { service: 'limited' }), 0, 'none running now');
    assert.equal(scrape.families.get('opsdeck_rate_limit_used_ratio')?.metrics.length, 1, 'only services with a limit');
  });

  it('answers /metrics only: another path is 404, a POST is 405', async () => {
    assert.equal((await fetch(new URL('/', server.url))).status, 404);
    assert.equal((await fetch(server.url, { method: 'POST', body: '' })).status, 405);
  });

  it("on loopback, refuses a Host naming something else (a web page's DNS rebinding); localhost is served", async () => {
    const withHost = (host: string) =>
      new Promise<number>((resolve, reject) => {
        get({ host: '127.0.0.1', port: server.port, path: '/metrics', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
    assert.equal(await withHost('rebind.attacker.example'), 403);
    assert.equal(await withHost(`rebind.attacker.example:${server.port}`), 403);
    assert.equal(await withHost(`localhost:${server.port}`), 200);
    assert.equal(await withHost(`127.0.0.1:${server.port}`), 200);
  });
});

describe('metrics when the store does not answer', () => {
  it('still answer, with opsdeck_store_up 0 and no stale store gauges', async () => {
    const tmp = await tempDir();
    const rt = await createRuntime({ words: CONSOLE_WORDS, db: `${tmp.dir}/gone.db`, registryPath: null, env: {}, execute: false });
    try {
      const metrics = createMetrics();
      const live = new Scrape((await metrics.render(rt.ctx)).body);
      assert.equal(live.value('opsdeck_store_up'), 1);
      assert.equal(live.value('opsdeck_dead_letters'), 0);
      await rt.ctx.store.close();
      const gone = new Scrape((await metrics.render(rt.ctx)).body);
      assert.equal(gone.value('opsdeck_store_up'), 0);
      assert.throws(() => gone.value('opsdeck_dead_letters'), /no/);
      assert.ok(gone.families.has('process_resident_memory_bytes'));
    } finally {
      await rt.close().catch(() => undefined);
      await tmp.cleanup();
    }
  });
});
