import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { CONSOLE_WORDS, type InterfaceWords, type PointedCall } from '../api/interfaceWords.ts';
import { createTestContext, type TestContext } from '../api/testing/apiTestContext.ts';
import { failure, ok } from '../api/testing/responses.ts';
import { ROUTES } from '../rest/routes.ts';
import { REST_WORDS } from '../rest/words.ts';
import { CLI_WORDS } from './words.ts';

const POINTED: PointedCall[] = [
  'workers.list',
  'workers.forget',
  'schedules.list',
  'schedules.pause',
  'runners.list',
  'breakers.list',
  'alerts.history',
  'registry.validate',
  'runners.connectivity',
  'runners.validateToken',
];

/** Every piece of advice an interface gives, for one service. */
function advice(words: InterfaceWords): string[] {
  return [
    ...POINTED.map((call) => words.call(call, { service: 'payments', id: 'w1', name: 'nightly', path: '/srv/registry.yaml' })),
    words.moreCapacity(),
    words.rateLimitDefaults('payments', '100 per 1m'),
    ...[3, null].flatMap((run) => [words.workflowRun.show(run), words.workflowRun.cancel(run), words.workflowRun.retry(run)]),
    words.stuckJobs.list,
    words.stuckJobs.fail,
    words.stuckJob(7).list,
    words.stuckJob(7).fail,
    words.checkByHand('payments', 'http'),
    words.checkByHand('payments', 'shell'),
    words.resetBreaker('payments'),
    words.healthCheck('store'),
  ];
}

describe("each interface's words", () => {
  it('the console names its buttons and pages, never a command for what it has a button for', () => {
    for (const text of advice(CONSOLE_WORDS)) {
      // A worker on a server, started or restarted with more slots, is what no control of the console does.
      const outside = text.replace('opsdeck worker on a server', '').replace('restart one with a higher --concurrency', '');
      assert.doesNotMatch(outside, /opsdeck [a-z]|--[a-z]/, text);
    }
    assert.equal(CONSOLE_WORDS.call('alerts.history'), 'History on the Alerts page');
    assert.equal(CONSOLE_WORDS.call('runners.connectivity', { service: 'payments' }), 'Test connectivity beside payments under Diagnostics on the Runners page');
    assert.equal(CONSOLE_WORDS.call('runners.validateToken', { service: 'payments' }), 'Validate token beside payments under Diagnostics on the Runners page');
    assert.equal(CONSOLE_WORDS.call('registry.validate', { path: '/srv/registry.yaml' }), 'Validate /srv/registry.yaml in Settings (Service registry)');
    assert.match(CONSOLE_WORDS.rateLimitDefaults('payments', '100 per 1m'), /^Change… beside payments on the Breakers page, then Back to the registry's settings, gives back the registry's: 100 per 1m$/);
    assert.equal(CONSOLE_WORDS.workflowRun.show(3), 'open run 3 from the Runs list on the Workflows page: its graph shows which task holds it');
    assert.equal(CONSOLE_WORDS.workflowRun.retry(3), 'Retry from its failed or cancelled tasks there runs them again');
    assert.match(CONSOLE_WORDS.checkByHand('payments', 'shell'), /^Run health check under Diagnostics on the Runners page \(its runner:shell\)$/);
    assert.match(CONSOLE_WORDS.moreCapacity(), /turn on local execution in Settings/);
    // No control of the console migrates: it says what does, a restart of this console or the command.
    assert.match(CONSOLE_WORDS.migrate(), /^restart this console, which applies them as it opens the store, or run opsdeck migrate on it$/);
  });

  it('every control the console names is one its renderer draws with that label, in the file of the page named', () => {
    const named: Array<[advice: string, label: string, file: string]> = [
      [CONSOLE_WORDS.call('workers.forget', { id: 'w1' }), 'Forget', 'runners/ForgetWorker.tsx'],
      [CONSOLE_WORDS.call('schedules.pause', { name: 'nightly' }), 'Pause', 'schedules/ScheduleActions.tsx'],
      [CONSOLE_WORDS.call('alerts.history'), 'History', 'alerts/AlertsPage.tsx'],
      [CONSOLE_WORDS.call('registry.validate', { path: 'r.yaml' }), 'Validate', 'settings/SettingsPage.tsx'],
      [CONSOLE_WORDS.call('runners.connectivity', { service: 'payments' }), 'Test connectivity', 'runners/DiagnosticsPanel.tsx'],
      [CONSOLE_WORDS.call('runners.validateToken', { service: 'payments' }), 'Validate token', 'runners/DiagnosticsPanel.tsx'],
      [CONSOLE_WORDS.checkByHand('payments', 'shell'), 'Run health check', 'runners/DiagnosticsPanel.tsx'],
      [CONSOLE_WORDS.release({ kind: 'emergency_stop' }), 'Resume', 'control/ControlBanner.tsx'],
      [CONSOLE_WORDS.release({ kind: 'safe_mode' }), 'Leave safe mode', 'control/ControlBanner.tsx'],
      [CONSOLE_WORDS.release({ kind: 'paused_queue', queue: 'default' }), 'Resume queue', 'control/ControlBanner.tsx'],
      [CONSOLE_WORDS.resetBreaker('payments'), 'Reset', 'breakers/BreakersPage.tsx'],
      [CONSOLE_WORDS.rateLimitDefaults('payments', '100 per 1m'), 'Change…', 'breakers/BreakersPage.tsx'],
      [CONSOLE_WORDS.rateLimitDefaults('payments', '100 per 1m'), "Back to the registry's settings", 'breakers/TuneRateLimitDialog.tsx'],
      [CONSOLE_WORDS.workflowRun.cancel(3), 'Cancel run', 'workflows/RunDetail.tsx'],
      [CONSOLE_WORDS.workflowRun.retry(3), 'Retry from', 'workflows/RunDetail.tsx'],
      [CONSOLE_WORDS.stuckJobs.list, 'Stuck only', 'jobs/JobFilters.tsx'],
      [CONSOLE_WORDS.stuckJobs.fail, 'Fail now', 'jobs/JobDrawer.tsx'],
      [CONSOLE_WORDS.stuckJob(7).list, 'Stuck only', 'jobs/JobFilters.tsx'],
      [CONSOLE_WORDS.stuckJob(7).fail, 'Fail now', 'jobs/JobDrawer.tsx'],
    ];
    for (const [advice, label, file] of named) {
      assert.ok(advice.includes(label), `${JSON.stringify(advice)} names ${label}`);
      const source = readFileSync(new URL(`../../renderer/src/features/${file}`, import.meta.url), 'utf8');
      // A label is a control's whole text (`>Fail now<`), a string that is one (`'Reset'`), or one's start (`\`Retry from ${…}\``).
      const text = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      assert.match(source, new RegExp(`>\\s*${text}\\s*<|['"]${text}['"]|\`${text}[\\s$]`), `${file} draws ${label}`);
    }
    // The labels read on their own: the retry button's is never "Retry" alone, nor the drawer's "Fail".
    assert.doesNotMatch(CONSOLE_WORDS.workflowRun.retry(3), /Retry there/);
    assert.doesNotMatch(CONSOLE_WORDS.stuckJobs.fail, /(^|[^"])Fail in/);
    assert.doesNotMatch(CONSOLE_WORDS.stuckJob(7).fail, /(^|[^"])Fail in/);
  });

  it('the CLI says its commands', () => {
    for (const text of advice(CLI_WORDS)) assert.match(text, /\bopsdeck [a-z]/, text);
    assert.equal(CLI_WORDS.call('alerts.history'), 'opsdeck alerts history');
    assert.equal(CLI_WORDS.call('runners.connectivity', { service: 'payments' }), 'opsdeck test-connectivity payments');
    assert.equal(CLI_WORDS.call('runners.validateToken', { service: 'payments' }), 'opsdeck validate-token payments');
    assert.equal(CLI_WORDS.call('registry.validate', { path: 'r.yaml' }), 'opsdeck validate-config r.yaml');
    assert.equal(CLI_WORDS.rateLimitDefaults('payments', '100 per 1m'), "opsdeck rate-limit tune payments --defaults goes back to the registry's: 100 per 1m");
    assert.equal(CLI_WORDS.moreCapacity(), 'start another worker (opsdeck worker) or restart one with a higher --concurrency');
    assert.equal(CLI_WORDS.checkByHand('payments', 'docker'), 'opsdeck health-check runner:docker');
    assert.equal(CLI_WORDS.migrate(), 'run opsdeck migrate');
  });

  it('REST names endpoints it serves, the one of the service asked about when there is one', () => {
    const served = (text: string) => ROUTES.some((r) => text.includes(`${r.method} ${r.path.replace('{service}', 'payments').replace('{id}', 'w1').replace('{name}', 'nightly')}`));
    for (const call of POINTED) assert.ok(served(REST_WORDS.call(call, { service: 'payments', id: 'w1', name: 'nightly' })), `${call}: ${REST_WORDS.call(call)}`);
    assert.equal(REST_WORDS.call('runners.connectivity', { service: 'payments' }), 'GET /v1/runners/connectivity/payments');
    assert.equal(REST_WORDS.call('runners.connectivity'), 'GET /v1/runners/connectivity');
    assert.equal(REST_WORDS.call('runners.connectivity', { url: 'https://api.example.com' }), 'POST /v1/runners/connectivity/check');
    assert.equal(REST_WORDS.rateLimitDefaults('payments', '100 per 1m'), 'POST /v1/rate-limits/payments/tune with {"defaults": true} goes back to the registry\'s: 100 per 1m');
    assert.equal(REST_WORDS.checkByHand('payments', 'http'), 'GET /v1/runners/connectivity/payments');
    assert.equal(REST_WORDS.stuckJob(7).fail, 'POST /v1/executions/7/fail fails it');
    assert.ok(served(REST_WORDS.checkByHand('payments', 'shell').replace('runner:shell', '{check}')));
    assert.ok(served(REST_WORDS.healthCheck('store').replace('store', '{check}')));
  });
});

describe("each host's words through dispatch", () => {
  const hosts: Array<[string, InterfaceWords]> = [
    ['cli', CLI_WORDS],
    ['rest', REST_WORDS],
    ['console', CONSOLE_WORDS],
  ];
  let upstream: Server;
  let port = 0;
  let t: TestContext | null = null;

  before(async () => {
    // An upstream that refuses a request without a credential, as a real API does.
    upstream = createServer((_req, res) => {
      res.statusCode = 401;
      res.end('no token');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    port = (upstream.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => upstream.close(() => resolve())));
  afterEach(async () => {
    await t?.cleanup();
    t = null;
  });

  const registry = () => `
services:
  - name: payments
    execution_type: noop
    circuit_breaker: { failure_threshold: 5, recovery_timeout: 600 }
  - name: reports
    execution_type: noop
  - name: ledger
    execution_type: http
    runner_config: { base_url: "http://127.0.0.1:${port}", path: /entries, method: GET, auth_type: bearer, auth_config: { token_env_var: LEDGER_TOKEN } }
`;

  const waiting = async (ctx: TestContext['ctx'], id: number) => calls['jobs.waiting'].output.parse(ok(await dispatch('jobs.waiting', { id }, ctx))).reasons;

  it('a job waiting for a slot is told how to add capacity; one its open breaker holds is told the breaker and its reset, not capacity', async () => {
    t = await createTestContext(registry());
    const { store, ctx: base } = t;
    await store.registerWorker({ id: 'busy', host: 'h', pid: 1, version: 'x', concurrency: 2, queues: null });
    await store.heartbeat('busy', { inFlight: 2, state: 'running' });
    const [report, pay] = await store.enqueue([
      { queue: 'default', service_name: 'reports', execution_type: 'noop', max_attempts: 1 },
      { queue: 'default', service_name: 'payments', execution_type: 'noop', max_attempts: 1 },
    ]);
    assert.ok(report && pay);
    const opened = new Date().toISOString();
    const open = { ...newBreakerRecord('payments', new Date()), state: 'open' as const, opened_at: opened, left_closed_at: opened, last_transition_at: opened, version: 1 };
    assert.equal(await store.saveBreaker(open, null), true);

    const expected: Record<string, { slot: string; breaker: string }> = {
      cli: {
        slot: 'as opsdeck workers shows; more capacity: start another worker (opsdeck worker) or restart one with a higher --concurrency',
        breaker: 'opsdeck breaker reset payments closes it now',
      },
      rest: {
        slot: 'as GET /v1/workers shows; more capacity: start another worker (opsdeck worker on a server) or restart one with a higher --concurrency',
        breaker: 'POST /v1/breakers/payments/reset closes it now',
      },
      console: {
        slot: 'as the Runners page shows; more capacity: start another worker (opsdeck worker on a server, or turn on local execution in Settings) or restart one with a higher --concurrency',
        breaker: 'Reset beside payments on the Breakers page closes it now',
      },
    };
    for (const [host, words] of hosts) {
      const ctx = { ...base, words };
      const want = expected[host];
      assert.ok(want);
      assert.deepEqual(await waiting(ctx, report.id), [`no free slot: every live worker taking queue default is busy (2 of 2 slots, 1 worker), ${want.slot}`], host);
      assert.deepEqual(
        await waiting(ctx, pay.id),
        [`the circuit breaker of payments is open: jobs wait for its recovery timeout, then a probe tries (${want.breaker})`],
        `${host}: the breaker holds it, whatever the slots`,
      );
    }
  });

  it('a connectivity probe refused without a credential points to the token check, and the health check of a busy fleet to more capacity, in each host’s words', async () => {
    t = await createTestContext(registry());
    const { store, ctx: base } = t;
    await store.registerWorker({ id: 'busy', host: 'h', pid: 1, version: 'x', concurrency: 1, queues: null });
    await store.heartbeat('busy', { inFlight: 1, state: 'running' });
    await store.enqueue([{ queue: 'default', service_name: 'reports', execution_type: 'noop', max_attempts: 1 }]);
    const token: Record<string, string> = {
      cli: 'opsdeck validate-token ledger',
      rest: 'GET /v1/runners/token/ledger',
      console: 'Validate token beside ledger under Diagnostics on the Runners page',
    };
    for (const [host, words] of hosts) {
      const ctx = { ...base, words };
      const probed = calls['runners.connectivity'].output.parse(ok(await dispatch('runners.connectivity', { service: 'ledger' }, ctx)));
      const http = probed.services[0]?.steps.find((s) => s.step === 'http');
      assert.equal(http?.detail, `GET http://127.0.0.1:${port}/entries answered 401 Unauthorized without a credential (a probe sends none; ${token[host]} tries the one its jobs send)`, host);

      const report = calls['health.check'].output.parse(ok(await dispatch('health.check', { check: 'dispatch' }, ctx)));
      const dispatchCheck = report.checks.find((c) => c.name === 'dispatch');
      assert.match(dispatchCheck?.detail ?? '', new RegExp(`; more capacity: ${words.moreCapacity().replace(/[()]/g, '\\$&')}$`), host);
    }
    const console = { ...base, words: CONSOLE_WORDS };
    const report = calls['health.check'].output.parse(ok(await dispatch('health.check', { check: 'dispatch' }, console)));
    assert.doesNotMatch(report.checks.map((c) => c.detail).join('\n'), /\(opsdeck worker\)/, 'the console never says the bare command');
  });

  it("a runbook's component opsdeck has no check for (models, cache, redis, pool) says what to run instead, in each host's words", async () => {
    t = await createTestContext(registry());
    const expected: Record<string, { models: string; cache: string; pool: [string, string] }> = {
      cli: {
        models: 'opsdeck health-check runner probes each kind\'s (runner:http, runner:serverless), and opsdeck test-connectivity SERVICE tests one of them',
        cache: '(opsdeck health-check store)',
        pool: ['opsdeck health-check store', 'opsdeck workers'],
      },
      rest: {
        models: 'GET /v1/health/runner probes each kind\'s (runner:http, runner:serverless), and GET /v1/runners/connectivity/SERVICE tests one of them',
        cache: '(GET /v1/health/store)',
        pool: ['GET /v1/health/store', 'GET /v1/workers'],
      },
      console: {
        models: 'Run health check under Diagnostics on the Runners page (its runner) probes each kind\'s (runner:http, runner:serverless), and Test connectivity beside SERVICE under Diagnostics on the Runners page tests one of them',
        cache: '(Run health check under Diagnostics on the Runners page (its store))',
        pool: ['Run health check under Diagnostics on the Runners page (its store)', 'the Runners page'],
      },
    };
    for (const [host, words] of hosts) {
      const ctx = { ...t.ctx, words };
      const want = expected[host];
      assert.ok(want);
      const models = failure(await dispatch('health.check', { check: 'models' }, ctx));
      assert.equal(models.code, 'not_found');
      assert.ok(models.message.includes(`opsdeck calls no models: the upstreams its jobs call are its services; ${want.models}`), `${host}: ${models.message}`);
      assert.ok(failure(await dispatch('health.check', { check: 'cache' }, ctx)).message.includes(`opsdeck keeps no cache: the store holds all its state ${want.cache}`), host);
      assert.ok(failure(await dispatch('health.check', { check: 'redis' }, ctx)).message.includes(`queues included ${want.cache}`), host);
      const [check, list] = want.pool;
      for (const word of ['pool', 'connections', 'connection-pool', 'Connection_Pool']) {
        const pool = failure(await dispatch('health.check', { check: word }, ctx));
        assert.equal(pool.code, 'not_found', `${host} ${word}`);
        assert.ok(pool.message.includes(`opsdeck's connection pools are checked with the store: ${check} names each live worker whose pool was exhausted`), `${host}: ${pool.message}`);
        assert.ok(pool.message.includes(`; ${list} gives every worker's pool`), `${host}: ${pool.message}`);
      }
    }
  });
});
