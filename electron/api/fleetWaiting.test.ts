import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import type { HealthCheck } from '../../shared/domain.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { dispatch } from './dispatch.ts';
import { CONSOLE_WORDS } from './interfaceWords.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';
import { ok } from './testing/responses.ts';

const REGISTRY = `
services:
  - name: payments
    execution_type: noop
    circuit_breaker: { failure_threshold: 5, recovery_timeout: 60 }
  - name: reports
    execution_type: noop
    concurrency: 1
`;

const alice = { user: 'alice', host: 'laptop' };

let t: TestContext | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

async function check(t: TestContext, name: string): Promise<HealthCheck> {
  const report = calls['health.check'].output.parse(ok(await dispatch('health.check', { check: name }, t.ctx)));
  const found = report.checks.find((c) => c.name === name);
  assert.ok(found, JSON.stringify(report));
  return found;
}

async function waiting(t: TestContext, id: number): Promise<string[]> {
  return calls['jobs.waiting'].output.parse(ok(await dispatch('jobs.waiting', { id }, t.ctx))).reasons;
}

/** Enqueues `n` due jobs of `service` on queue default; their ids. */
async function due(t: TestContext, service: string, n: number): Promise<number[]> {
  const jobs = await t.store.enqueue(Array.from({ length: n }, () => ({ queue: 'default', service_name: service, execution_type: 'noop' as const, max_attempts: 1 })));
  return jobs.map((j) => j.id);
}

for (const dialect of ['sqlite', 'postgres'] as const) describe(`waiting jobs and fleet health (${dialect})`, () => {
  it('a job waiting only because every live worker is full says so, and the dispatch check warns', async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { store } = t;
    await store.registerWorker({ id: 'busy', host: 'h', pid: 1, version: 'x', concurrency: 4, queues: null });
    await store.registerWorker({ id: 'gone', host: 'h', pid: 2, version: 'x', concurrency: 4, queues: null });
    await store.heartbeat('busy', { inFlight: 4, state: 'running' });
    await store.heartbeat('gone', { inFlight: 0, state: 'stopped' });
    const [id] = await due(t, 'payments', 1);
    assert.ok(id);

    assert.deepEqual(await waiting(t, id), [
      'no free slot: every live worker taking queue default is busy (4 of 4 slots, 1 worker), as the Runners page shows; more capacity: start another worker (opsdeck worker on a server, or turn on local execution in Settings) or restart one with a higher --concurrency',
    ]);
    const overRest = calls['jobs.waiting'].output.parse(ok(await dispatch('jobs.waiting', { id }, { ...t.ctx, words: { ...CONSOLE_WORDS, call: () => 'GET /v1/workers' } })));
    assert.match(overRest.reasons[0] ?? '', /, as GET \/v1\/workers shows;/, "in the words of the interface asking");
    assert.deepEqual(await check(t, 'dispatch'), {
      name: 'dispatch',
      ok: true,
      warning: true,
      detail:
        '1 job(s) due: waiting for a free slot: every live worker taking queue default is busy (4 of 4 slots, 1 worker); more capacity: start another worker (opsdeck worker on a server, or turn on local execution in Settings) or restart one with a higher --concurrency',
    });

    await store.heartbeat('busy', { inFlight: 3, state: 'running' });
    assert.deepEqual(await waiting(t, id), []);
    assert.deepEqual(await check(t, 'dispatch'), { name: 'dispatch', ok: true, detail: '1 job(s) due, 1 live worker(s) taking them' });
  });

  it("a service at its registry concurrency is named as what holds its job", async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { store } = t;
    await store.registerWorker({ id: 'w', host: 'h', pid: 1, version: 'x', concurrency: 4, queues: null });
    const [first, second] = await due(t, 'reports', 2);
    assert.ok(first && second);
    const [claimed] = await store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 });
    assert.equal(claimed?.id, first);
    assert.deepEqual(await waiting(t, second), [
      "service reports runs its concurrency of 1 (1 running on every worker together, the registry's concurrency: 1): it waits for one of them to finish",
    ]);
  });

  it("counts the due jobs a circuit breaker holds apart from those the workers take", async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { store } = t;
    await store.registerWorker({ id: 'w', host: 'h', pid: 1, version: 'x', concurrency: 4, queues: null });
    await due(t, 'payments', 5);
    await store.setBreakerModeIfItChanges('payments', 'force_open', alice, 'upstream down');
    assert.deepEqual(await check(t, 'dispatch'), {
      name: 'dispatch',
      ok: true,
      warning: true,
      detail: '5 job(s) due: 5 held by the circuit breaker of payments (forced open by alice@laptop; the Breakers page says why)',
    });
    await due(t, 'reports', 2);
    assert.equal((await check(t, 'dispatch')).detail, '7 job(s) due: 5 held by the circuit breaker of payments (forced open by alice@laptop; the Breakers page says why); 2 to the 1 live worker(s) taking them');
    await store.heartbeat('w', { inFlight: 0, state: 'stopped' });
    assert.match(
      (await check(t, 'dispatch')).detail,
      /^jobs are due and not dispatched: no worker is running to take queue default \(7 due\): start one with opsdeck worker on a server, or turn on local execution in Settings; of the due jobs, 5 held by the circuit breaker of payments \(forced open by alice@laptop; the Breakers page says why\); the oldest due since /,
      'a worker started for them would not take those the breaker holds',
    );
    await store.registerWorker({ id: 'w', host: 'h', pid: 1, version: 'x', concurrency: 4, queues: null });
    await store.setBreakerModeIfItChanges('payments', 'reset', alice, null);
    assert.deepEqual(await check(t, 'dispatch'), { name: 'dispatch', ok: true, detail: '7 job(s) due, 1 live worker(s) taking them' });
  });

  it('counts in the thousands read with their separators, as the console writes every other count', async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { store } = t;
    await due(t, 'payments', 1200);
    await due(t, 'reports', 1);
    await store.setBreakerModeIfItChanges('payments', 'force_open', alice, 'upstream down');
    await store.registerWorker({ id: 'w', host: 'h', pid: 1, version: 'x', concurrency: 4, queues: null });
    assert.match((await check(t, 'dispatch')).detail, /^1,201 job\(s\) due: 1,200 held by the circuit breaker of payments /);
    await store.heartbeat('w', { inFlight: 0, state: 'stopped' });
    assert.match((await check(t, 'dispatch')).detail, /no worker is running to take queue default \(1,201 due\).*of the due jobs, 1,200 held by/);
  });

  it('a queue whose due jobs a breaker holds, every one, is not named busy: more capacity would not start them', async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { store } = t;
    await store.registerWorker({ id: 'w', host: 'h', pid: 1, version: 'x', concurrency: 4, queues: null });
    await store.heartbeat('w', { inFlight: 4, state: 'running' });
    await due(t, 'payments', 2);
    await store.enqueue([{ queue: 'etl', service_name: 'reports', execution_type: 'noop', max_attempts: 1 }]);
    await store.setBreakerModeIfItChanges('payments', 'force_open', alice, 'upstream down');
    assert.equal(
      (await check(t, 'dispatch')).detail,
      '3 job(s) due: 2 held by the circuit breaker of payments (forced open by alice@laptop; the Breakers page says why); waiting for a free slot: every live worker taking queue etl is busy (4 of 4 slots, 1 worker); more capacity: start another worker (opsdeck worker on a server, or turn on local execution in Settings) or restart one with a higher --concurrency',
    );
    await due(t, 'reports', 1);
    assert.match((await check(t, 'dispatch')).detail, /waiting for a free slot: every live worker taking queue default is busy .*; every live worker taking queue etl is busy/, 'a job of the queue no breaker holds waits for a slot');
  });

  it('the scheduler check fails while active schedules have no live worker to fire them, naming the next fire', async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { store } = t;
    assert.deepEqual(await check(t, 'scheduler'), { name: 'scheduler', ok: true, detail: 'no live worker runs the scheduler, and no schedule is active' });
    ok(await dispatch('schedules.add', { name: 'nightly', service: 'payments', cron: '30 2 * * *', timezone: 'UTC' }, t.ctx));
    ok(await dispatch('schedules.add', { name: 'weekly', service: 'payments', cron: '0 3 * * 0', timezone: 'UTC' }, t.ctx));
    ok(await dispatch('schedules.add', { name: 'paused', service: 'payments', cron: '@hourly' }, t.ctx));
    ok(await dispatch('schedules.pause', { name: 'paused' }, t.ctx));
    const next = (await store.getSchedule('nightly'))?.next_fire_at;
    assert.ok(next);
    const alone = await check(t, 'scheduler');
    assert.equal(alone.ok, false);
    assert.match(alone.detail, new RegExp(`^2 active schedule\\(s\\), the next nightly at ${next.replace(/\./g, '\\.')} \\(in .+\\), and no live worker to fire them: start one with opsdeck worker on a server, or turn on local execution in Settings$`));

    await store.registerWorker({ id: 'w', host: 'h', pid: 1, version: 'x', concurrency: 1, queues: null });
    assert.deepEqual(await check(t, 'scheduler'), { name: 'scheduler', ok: true, detail: 'no schedule is overdue' });
    await store.heartbeat('w', { inFlight: 0, state: 'stopped' });
    assert.equal((await check(t, 'scheduler')).ok, false, 'a stopped worker fires nothing');
  });

  it("a lost worker's running jobs are said to be stuck once their leases run out, and when", async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { store } = t;
    await store.registerWorker({ id: 'crashed', host: 'h', pid: 1, version: 'x', concurrency: 4, queues: null });
    await due(t, 'payments', 2);
    const claimed = await store.claim({ workerId: 'crashed', limit: 2, leaseMs: 60_000 });
    assert.equal(claimed.length, 2);
    const runOut = claimed.map((c) => c.lease_expires_at).sort().at(-1);
    const list = calls['workers.list'].output.parse(ok(await dispatch('workers.list', {}, t.ctx)));
    assert.deepEqual(list.lost_leases, [], 'a live worker holds its jobs');

    // Lost, its heartbeat past the threshold, while its leases still run: read with a threshold of 0 ms.
    const lostNow = { ...t.ctx, store: storeWith(store, { listWorkers: () => store.listWorkers(0) }) };
    await new Promise((resolve) => setTimeout(resolve, 5));
    const lost = calls['workers.list'].output.parse(ok(await dispatch('workers.list', {}, lostNow)));
    assert.equal(lost.workers[0]?.lost, true);
    assert.deepEqual(lost.lost_leases.map((l) => [l.worker_id, l.jobs, Date.parse(l.leases_run_out_at ?? '')]), [['crashed', 2, Date.parse(runOut ?? '')]]);
    const worker = await check({ ...t, ctx: lostNow }, 'worker:crashed');
    assert.equal(worker.ok, false);
    assert.match(worker.detail, /; 2 running job\(s\) still leased to it, not yet taken back: stuck once their leases run out, by \d{4}-\d\d-\d\dT[\d:.]+Z: then the Jobs page with "Stuck only" lists them and "Fail now" in each one's drawer fails it, or a live worker's watchdog takes them back: pending again with that attempt spent \(recorded lost\), or a dead letter once out of attempts$/);
    assert.equal(await store.countJobs({ stuck: true }), 0, 'none is stuck yet: the hint does not point there');
  });
});
