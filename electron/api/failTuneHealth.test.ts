import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, describe, it } from 'node:test';
import { calls, type ApiResponse } from '../../shared/contract.ts';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import type { Runner } from '../runners/runner.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';
import { ok } from './testing/responses.ts';

const REGISTRY = `
services:
  - name: payments
    execution_type: noop
    circuit_breaker: { failure_threshold: 5, recovery_timeout: 60 }
`;

let t: TestContext | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

function code(res: ApiResponse): string {
  return res.ok ? 'ok' : res.error.code;
}

async function running(t: TestContext, workerId: string): Promise<number> {
  const [job] = await t.store.enqueue([{ queue: `q-${workerId}`, service_name: 'payments', execution_type: 'noop', max_attempts: 3 }]);
  assert.ok(job);
  const [claimed] = await t.store.claim({ workerId, limit: 1, leaseMs: 60_000, queues: [`q-${workerId}`] });
  assert.equal(claimed?.id, job.id);
  return job.id;
}

describe('jobs.fail', () => {
  it('fails a job whose worker is gone, and refuses one a live worker holds unless forced', async () => {
    t = await createTestContext(REGISTRY);
    const { ctx, store } = t;
    const orphan = await running(t, 'vanished-worker');
    const done = await dispatch('jobs.fail', { id: orphan, reason: 'worker host terminated' }, ctx);
    assert.equal(code(done), 'ok', JSON.stringify(done));
    assert.equal(calls['jobs.fail'].output.parse(done.ok ? done.result : null).status, 'failed');
    assert.equal(await store.deadLetterCount(), 1);

    await store.registerWorker({ id: 'live-worker', host: 'h', pid: 1, version: 'x', concurrency: 1, queues: null });
    const held = await running(t, 'live-worker');
    const refused = await dispatch('jobs.fail', { id: held, reason: 'impatient' }, ctx);
    assert.equal(code(refused), 'conflict');
    assert.match(refused.ok ? '' : refused.error.message, /runs on worker live-worker .* which is alive .*force/);
    assert.equal((await store.getJob(held))?.status, 'running');
    assert.equal(code(await dispatch('jobs.fail', { id: held, reason: 'it hangs', force: true }, ctx)), 'ok');

    await store.registerWorker({ id: 'stopped-worker', host: 'h', pid: 2, version: 'x', concurrency: 1, queues: null });
    const left = await running(t, 'stopped-worker');
    await store.heartbeat('stopped-worker', { inFlight: 0, state: 'stopped' });
    assert.equal(code(await dispatch('jobs.fail', { id: left, reason: 'its worker stopped' }, ctx)), 'ok');

    // A worker of this machine whose process is gone is dead at once, heartbeat or not.
    const deadPid = spawnSync('/bin/true').pid ?? 0;
    await store.registerWorker({ id: 'killed-worker', host: hostname(), pid: deadPid, version: 'x', concurrency: 1, queues: null });
    const killed = await running(t, 'killed-worker');
    assert.equal(code(await dispatch('jobs.fail', { id: killed, reason: 'SIGKILLed' }, ctx)), 'ok');
    await store.registerWorker({ id: 'this-process', host: hostname(), pid: process.pid, version: 'x', concurrency: 1, queues: null });
    assert.equal(code(await dispatch('jobs.fail', { id: await running(t, 'this-process'), reason: 'x' }, ctx)), 'conflict', 'a live process of this machine holds it');

    const [pending] = await store.enqueue([{ queue: 'default', service_name: 'payments', execution_type: 'noop', max_attempts: 1 }]);
    const notRunning = await dispatch('jobs.fail', { id: pending?.id ?? 0, reason: 'x' }, ctx);
    assert.equal(code(notRunning), 'conflict');
    assert.match(notRunning.ok ? '' : notRunning.error.message, /only a running job can be failed: cancel a pending job instead/);
    assert.equal(code(await dispatch('jobs.fail', { id: 99_999, reason: 'x' }, ctx)), 'not_found');
    assert.equal(code(await dispatch('jobs.fail', { id: orphan, reason: '   ' }, ctx)), 'invalid_input', 'a reason is required');
  });
});

describe('breakers.tune', () => {
  it('tunes over the registry, shows both, and returns to the registry with defaults', async () => {
    t = await createTestContext(REGISTRY);
    const { ctx } = t;
    const tuned = await dispatch('breakers.tune', { service: 'payments', failure_threshold: 10, recovery_timeout: 30, reason: 'flaky' }, ctx);
    assert.equal(code(tuned), 'ok', JSON.stringify(tuned));
    const view = calls['breakers.tune'].output.parse(tuned.ok ? tuned.result : null);
    assert.deepEqual([view.failure_threshold, view.recovery_timeout_s], [10, 30]);
    assert.deepEqual(view.registry_settings, { failure_threshold: 5, recovery_timeout_s: 60, minimum_volume: 3 });
    assert.deepEqual(view.tuning?.settings, { failure_threshold: 10, recovery_timeout: 30 });
    const list = await dispatch('breakers.list', {}, ctx);
    assert.equal(calls['breakers.list'].output.parse(list.ok ? list.result : null).breakers[0]?.failure_threshold, 10);

    const back = calls['breakers.tune'].output.parse(((r) => (r.ok ? r.result : null))(await dispatch('breakers.tune', { service: 'payments', defaults: true }, ctx)));
    assert.deepEqual([back.failure_threshold, back.tuning], [5, null]);

    for (const input of [{ service: 'payments' }, { service: 'payments', defaults: true, failure_threshold: 3 }, { service: 'payments', failure_threshold: 0 }]) {
      assert.equal(code(await dispatch('breakers.tune', input, ctx)), 'invalid_input', JSON.stringify(input));
    }
    assert.equal(code(await dispatch('breakers.tune', { service: 'nope', failure_threshold: 3 }, ctx)), 'not_found');
  });
});

// On PostgreSQL the jobs not yet due are counted from the ready rows, on SQLite from the pending jobs' index.
for (const dialect of ['sqlite', 'postgres'] as const) describe(`health.check sees an idle fleet (${dialect})`, () => {
  async function dispatchDetail(t: TestContext): Promise<{ ok: boolean; detail: string }> {
    const res = await dispatch('health.check', {}, t.ctx);
    const report = calls['health.check'].output.parse(res.ok ? res.result : null);
    const check = report.checks.find((c) => c.name === 'dispatch');
    assert.ok(check, JSON.stringify(report));
    return { ok: check.ok, detail: check.detail };
  }

  it('is unhealthy while due jobs wait with no worker, names the queue, and recovers once one runs', async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { store } = t;
    assert.equal((await dispatchDetail(t)).ok, true);
    await store.enqueue([
      { queue: 'default', service_name: 'payments', execution_type: 'noop', max_attempts: 1 },
      { queue: 'default', service_name: 'payments', execution_type: 'noop', max_attempts: 1 },
      { queue: 'later', service_name: 'payments', execution_type: 'noop', max_attempts: 1, run_at: new Date(Date.now() + 3_600_000).toISOString() },
    ]);
    const idle = await dispatchDetail(t);
    assert.equal(idle.ok, false);
    assert.match(idle.detail, /^jobs are due and not dispatched: no worker is running to take queue default \(2 due\): start one with opsdeck worker on a server, or turn on local execution in Settings; the oldest due since \d{4}-.*ago\)$/);
    assert.doesNotMatch(idle.detail, /later/, 'a queue whose jobs are not due yet is not named');

    await store.registerWorker({ id: 'other-queues', host: 'h', pid: 1, version: 'x', concurrency: 1, queues: ['reports'] });
    assert.match((await dispatchDetail(t)).detail, /: no live worker takes queue default \(2 due\): start one that does with opsdeck worker on a server, or turn on local execution in Settings; the oldest/);

    await store.registerWorker({ id: 'w', host: 'h', pid: 2, version: 'x', concurrency: 1, queues: null });
    assert.deepEqual(await dispatchDetail(t), { ok: true, detail: '2 job(s) due, 2 live worker(s) taking them' });

    await store.setSafeMode(true, { user: 'alice', host: 'laptop' }, 'deploy');
    const drained = await dispatchDetail(t);
    assert.equal(drained.ok, false);
    assert.match(drained.detail, /^2 job\(s\) due and not dispatched: safe mode is on by alice@laptop: deploy \(Leave safe mode in the banner at the top\); the oldest/);
    await store.setSafeMode(false, { user: 'alice', host: 'laptop' }, null);

    await store.setQueuePaused('default', true, { user: 'alice', host: 'laptop' }, null);
    await store.heartbeat('w', { inFlight: 0, state: 'stopped' });
    await store.heartbeat('other-queues', { inFlight: 0, state: 'stopped' });
    assert.equal((await dispatchDetail(t)).ok, true, 'a paused queue waits on purpose');
  });

  it('names every cause at once: queues no live worker takes, services no live worker runs, and what holds dispatch', async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { store } = t;
    await store.registerWorker({ id: 'w', host: 'h', pid: 1, version: 'x', concurrency: 1, queues: ['shellq', 'httpq', 'fnq'], services: ['payments'] });
    await store.enqueue([
      { queue: 'dockerq', service_name: 'payments', execution_type: 'noop', max_attempts: 1 },
      { queue: 'shellq', service_name: 'sleeper', execution_type: 'noop', max_attempts: 1 },
      { queue: 'mailq', service_name: 'payments', execution_type: 'noop', max_attempts: 1 },
    ]);
    const both = await dispatchDetail(t);
    assert.equal(both.ok, false);
    assert.match(
      both.detail,
      /^jobs are due and not dispatched: no live worker takes queues dockerq \(1 due\) and mailq \(1 due\): start one that does with opsdeck worker on a server, or turn on local execution in Settings; no live worker's registry has service sleeper \(1 due\): start a worker whose registry names it, or add it to the workers' registry; the oldest due since /,
    );

    // Held by safe mode, the worker is not stopping: safe mode is named first, and the rest still.
    await store.heartbeat('w', { inFlight: 0, state: 'held' });
    await store.setSafeMode(true, { user: 'alice', host: 'laptop' }, null);
    assert.match((await dispatchDetail(t)).detail, /^3 job\(s\) due and not dispatched: safe mode is on by alice@laptop \(Leave safe mode in the banner at the top\); no live worker takes queues dockerq .*; no live worker's registry has service sleeper /);
  });

  it('counts each due job once, under its first cause: a job in a queue no worker takes is not counted again for its service', async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { store } = t;
    await store.registerWorker({ id: 'w', host: 'h', pid: 1, version: 'x', concurrency: 1, queues: ['reports', 'containers'], services: ['report'] });
    await store.enqueue([
      { queue: 'default', service_name: 'api', execution_type: 'noop', max_attempts: 1 },
      { queue: 'reports', service_name: 'failing_script', execution_type: 'noop', max_attempts: 1 },
      { queue: 'containers', service_name: 'py_container', execution_type: 'noop', max_attempts: 1 },
      { queue: 'reports', service_name: 'api', execution_type: 'noop', max_attempts: 1, run_at: new Date(Date.now() + 3_600_000).toISOString() },
    ]);
    const { detail } = await dispatchDetail(t);
    assert.match(
      detail,
      /^jobs are due and not dispatched: no live worker takes queue default \(1 due\): start one that does with opsdeck worker on a server, or turn on local execution in Settings; no live worker's registry has services failing_script \(1 due\) and py_container \(1 due\): /,
    );
    assert.doesNotMatch(detail, /api \(/, 'the api job is named under its queue alone');
  });

  it('asked for alone (the overview asks every 15 s), is the same check, made without probing a runner', async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { ctx, store } = t;
    await store.registerWorker({ id: 'w', host: 'h', pid: 1, version: 'x', concurrency: 1, queues: null, services: ['payments'] });
    await store.enqueue([{ queue: 'default', service_name: 'sleeper', execution_type: 'noop', max_attempts: 1 }]);
    const full = await dispatchDetail(t);
    let probes = 0;
    const probing: Runner = {
      kind: 'noop',
      run: () => Promise.reject(new Error('not run here')),
      probe: async () => {
        probes++;
        return { ok: true, detail: 'probed' };
      },
    };
    ctx.runners = new Map([['noop', probing]]);
    const alone = calls['health.check'].output.parse(ok(await dispatch('health.check', { check: 'dispatch' }, ctx)));
    assert.deepEqual(alone.checks.map((c) => c.name), ['dispatch']);
    assert.equal(alone.ok, false);
    assert.equal(alone.checks[0]?.detail.replace(/\(\d+s ago\)/, ''), full.detail.replace(/\(\d+s ago\)/, ''));
    assert.match(full.detail, /no live worker's registry has service sleeper \(1 due\)/);
    assert.equal(probes, 0, 'no runner probed');
  });

  it('warns, still healthy, while a circuit breaker holds its jobs, naming it and how many wait', async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { ctx, store } = t;
    const breakers = async () => {
      const report = calls['health.check'].output.parse(ok(await dispatch('health.check', { check: 'breakers' }, ctx)));
      const check = report.checks[0];
      assert.ok(check, JSON.stringify(report));
      return { ok: report.ok, warning: check.warning === true, detail: check.detail };
    };
    // Counted as `breaker list` shows them: the registry's service before its breaker is ever stored.
    assert.deepEqual(await breakers(), { ok: true, warning: false, detail: 'all 1 closed' });
    await store.setBreakerModeIfItChanges('payments', 'force_open', { user: 'alice', host: 'laptop' }, 'upstream down');
    assert.match((await breakers()).detail, /^1 circuit breaker\(s\) hold .*payments forced open by alice@laptop \(0 pending\)/, 'forced open is said even with nothing waiting');
    await store.enqueue([{ queue: 'default', service_name: 'payments', execution_type: 'noop', max_attempts: 1 }]);
    const held = await breakers();
    assert.deepEqual([held.ok, held.warning], [true, true]);
    assert.match(held.detail, /^1 circuit breaker\(s\) hold their services' jobs: payments forced open by alice@laptop \(1 pending\); the Breakers page says why/);
    await store.setBreakerModeIfItChanges('payments', 'reset', { user: 'alice', host: 'laptop' }, null);
    assert.deepEqual(await breakers(), { ok: true, warning: false, detail: 'all 1 closed' });
    // A stored breaker of a service the registry no longer names is listed too, so counted.
    assert.equal(await store.saveBreaker({ ...newBreakerRecord('retired_api', new Date()), version: 1 }, null), true);
    assert.deepEqual(await breakers(), { ok: true, warning: false, detail: 'all 2 closed' });
    const record = await store.getBreaker('payments');
    assert.ok(record);
    await store.cancelJob((await store.listJobs({ service: 'payments' }, { limit: 1 })).items[0]?.id ?? 0, { user: 'alice', host: 'laptop' }, null);
    assert.equal(await store.saveBreaker({ ...record, state: 'open', version: record.version + 1 }, null), true);
    assert.deepEqual(await breakers(), { ok: true, warning: false, detail: 'payments open with no job waiting' }, 'a quiet service\'s open breaker keeps no warning up');
  });

  it('a check whose read fails fails under its own name, and the checks after it are still made', async () => {
    t = await createTestContext(REGISTRY, dialect);
    const failing = storeWith(t.store, { listBreakers: () => Promise.reject(new Error('breaker table unreadable')) });
    const report = calls['health.check'].output.parse(ok(await dispatch('health.check', {}, { ...t.ctx, store: failing })));
    const byName = new Map(report.checks.map((c) => [c.name, c]));
    assert.deepEqual([byName.get('breakers')?.ok, byName.get('breakers')?.detail], [false, 'cannot tell: breaker table unreadable']);
    assert.equal(byName.get('scheduler')?.ok, true, 'checked all the same');
    assert.equal(byName.get('workflows')?.ok, true);
    assert.equal(report.ok, false);
  });

  it("is unhealthy while due jobs are of a service no live worker's registry has, and recovers once one declares it", async () => {
    t = await createTestContext(REGISTRY, dialect);
    const { store } = t;
    await store.enqueue([
      { queue: 'default', service_name: 'payments', execution_type: 'noop', max_attempts: 1 },
      { queue: 'default', service_name: 'payments', execution_type: 'noop', max_attempts: 1, run_at: new Date(Date.now() + 3_600_000).toISOString() },
      { queue: 'default', service_name: 'mailer', execution_type: 'noop', max_attempts: 1, run_at: new Date(Date.now() + 3_600_000).toISOString() },
    ]);
    await store.registerWorker({ id: 'old-registry', host: 'h', pid: 1, version: 'x', concurrency: 1, queues: null, services: ['reports'] });
    const unrun = await dispatchDetail(t);
    assert.equal(unrun.ok, false);
    assert.match(unrun.detail, /^jobs are due and not dispatched: no live worker's registry has service payments \(1 due\): start a worker whose registry names it, or add it to the workers' registry; the oldest due since /);

    // The worker's registry was reloaded with the service: its next heartbeat says so.
    await store.heartbeat('old-registry', { inFlight: 0, state: 'running', services: ['payments', 'reports'] });
    assert.equal((await dispatchDetail(t)).ok, true, 'mailer has jobs, none of them due');

    await store.heartbeat('old-registry', { inFlight: 0, state: 'running', services: ['reports'] });
    await store.enqueue([{ queue: 'other', service_name: 'reports', execution_type: 'noop', max_attempts: 1 }]);
    await store.setQueuePaused('default', true, { user: 'alice', host: 'laptop' }, 'rollout');
    assert.equal((await dispatchDetail(t)).ok, true, 'a paused queue waits on purpose, whatever its services');
    await store.setQueuePaused('default', false, { user: 'alice', host: 'laptop' }, null);
    assert.equal((await dispatchDetail(t)).ok, false);
    await store.registerWorker({ id: 'older-version', host: 'h', pid: 2, version: 'x', concurrency: 1, queues: null });
    assert.equal((await dispatchDetail(t)).ok, true, 'a worker that did not say which services it runs may run them');
  });
});

describe("health.check's registry check", () => {
  it('warns, still healthy, of what validate-config warns of: a memory limit node cannot start under', async () => {
    const registry = (memoryMb: number) => `
services:
  - name: greeter
    execution_type: shell
    runner_config: { command: ["/usr/bin/node", "-e", "console.log('hi')"] }
    security_policy: { allowed_commands: ["/usr/bin/node"], resource_limits: { memory_mb: ${memoryMb} } }
`;
    const registryCheck = async (ctx: TestContext['ctx']) => {
      const report = calls['health.check'].output.parse(ok(await dispatch('health.check', { check: 'registry' }, ctx)));
      const check = report.checks[0];
      assert.ok(check, JSON.stringify(report));
      return { ok: report.ok, warning: check.warning === true, detail: check.detail };
    };
    t = await createTestContext(registry(256));
    const warned = await registryCheck(t.ctx);
    assert.deepEqual([warned.ok, warned.warning], [true, true]);
    assert.match(warned.detail, /^1 service\(s\) from .*; warning: services\[0\]\.security_policy\.resource_limits\.memory_mb: memory_mb caps the address space, not resident memory: node reserves/);
    await t.cleanup();
    t = await createTestContext(registry(4096));
    assert.deepEqual((await registryCheck(t.ctx)).warning, false);
  });

  it("fails on a refused reading, says whose reading it was, and quotes the YAML syntax error, the cause, first", async () => {
    const check = async (ctx: TestContext['ctx']) => {
      const report = calls['health.check'].output.parse(ok(await dispatch('health.check', { check: 'registry' }, ctx)));
      assert.equal(report.ok, false);
      return report.checks[0]?.detail ?? '';
    };
    // The runbook's wrong indentation: execution_type at the service's '-' column.
    const wrong = 'services:\n  - name: test\n  execution_type: http\n';
    t = await createTestContext();
    t.ctx.answeredBy = 'command';
    t.ctx.registry.loadText(wrong, '/srv/registry.yaml');
    assert.equal(
      await check(t.ctx),
      "this check's reading of /srv/registry.yaml was refused: 3 problem(s), first 3:1 (syntax): YAML: All mapping items must start at the same column; workers read the file themselves (Validate /srv/registry.yaml in Settings (Service registry) lists every problem)",
    );

    await t.cleanup();
    t = await createTestContext(REGISTRY);
    t.ctx.answeredBy = 'console';
    t.ctx.registry.loadText(wrong, '/srv/registry.yaml');
    const detail = await check(t.ctx);
    assert.match(detail, /^the console's own reading of \/srv\/registry\.yaml was refused: 3 problem\(s\), first 3:1 \(syntax\): YAML: All mapping items/);
    assert.match(detail, /; it still uses the 1 service\(s\) it loaded from text at \d{4}-\d\d-\d\dT[\d:.]+Z;/, 'the last good registry the console keeps');
    assert.doesNotMatch(detail, /last load/, "never \"the last load\", which reads as the workers'");
  });
});
