import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiResponse, CALL_NAMES } from '../../shared/contract.ts';
import type { CallInput, CallName } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { createRuntime } from '../api/runtime.ts';
import { isRendererUrl, RENDERER_URL } from '../main/appUrl.ts';
import { registerIpc } from '../main/ipc.ts';
import { fakeIpcMain } from '../main/testing/fakeIpcMain.ts';
import { startServer } from './server.ts';
import type { RunningServer } from './server.ts';
import { rawRequest } from './testing/http.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';

/**
 * Every call of the contract through both hosts, against the real runtime on a real SQLite store:
 * the browser host over HTTP, and the Electron IPC entry point driven by a fake ipcMain.
 */
const repoRoot = resolve(import.meta.dirname, '..', '..');
const registryPath = join(repoRoot, 'examples', 'registry.yaml');

function validInputs(dir: string): { [N in CallName]: CallInput<N> } {
  const other = join(dir, 'other.db');
  return {
    'overview.stats': {},
    'overview.series': { window: '1h' },
    'jobs.list': { filter: { status: ['pending'] }, limit: 10 },
    'jobs.enqueue': { service: 'healthy_noop', payload: { n: 1 } },
    'jobs.enqueueMany': { service: 'healthy_noop', jobs: [{ payload: { n: 2 } }, { payload: { n: 3 } }] },
    'jobs.get': { id: 1 },
    'jobs.waiting': { id: 1 },
    'jobs.cancel': { id: 1, reason: 'test' },
    'jobs.retry': { id: 1 },
    'jobs.fail': { id: 1, reason: 'test' },
    'dlq.groups': {},
    'dlq.list': { limit: 5 },
    'failures.recent': { since_minutes: 60 },
    'metrics.byType': { since_minutes: 60 },
    'dlq.retry': { selector: { search: 'nothing like this' }, dry_run: true },
    'dlq.resolve': { selector: { job_ids: [1] }, note: 'checked', dry_run: true },
    'dlq.purge': { before: '2020-01-01T00:00:00.000Z', dry_run: true },
    'breakers.list': {},
    'breakers.get': { service: 'healthy_noop' },
    'breakers.setMode': { service: 'healthy_noop', mode: 'force_open', reason: 'test' },
    'breakers.setModeAll': { mode: 'reset', reason: 'test' },
    'breakers.tune': { service: 'healthy_noop', failure_threshold: 10, reason: 'test' },
    'rateLimits.tune': { service: 'healthy_noop', limit: 5, per: '1s', reason: 'test' },
    'control.get': {},
    'control.emergencyStop': { reason: 'test' },
    'control.resume': {},
    'control.safeMode': { enabled: false },
    'control.pauseQueue': { queue: 'default', paused: true },
    'runners.list': {},
    'runners.connectivity': { url: 'http://127.0.0.1:1/' },
    'runners.validateToken': { service: 'local_api' },
    'workers.list': {},
    'workers.forget': { id: 'no-such-worker' },
    'registry.get': {},
    'registry.validate': { text: 'services: []\n' },
    'registry.load': { path: registryPath },
    'settings.get': {},
    'settings.testConnection': { url: other },
    'settings.setConnection': { url: other },
    'settings.setLocalExecution': { enabled: false },
    'settings.logs': {},
    'settings.openLogFolder': {},
    'retention.get': {},
    'retention.prune': { dry_run: true },
    'audit.list': { limit: 5 },
    'health.check': {},
    'support.diagnose': {},
    'support.bundle': {},
    'apiKeys.list': {},
    'apiKeys.create': { name: 'hosts-test', scope: 'read' },
    'apiKeys.revoke': { name: 'hosts-test' },
    'schedules.add': { name: 'hosts-test', service: 'healthy_noop', cron: '30 2 * * *', timezone: 'Europe/Berlin' },
    'schedules.check': { cron: '0 9 * * MON-FRI', timezone: 'Europe/Berlin' },
    'schedules.list': {},
    'schedules.get': { name: 'hosts-test' },
    'schedules.pause': { name: 'hosts-test', reason: 'test' },
    'schedules.resume': { name: 'hosts-test' },
    'schedules.runNow': { name: 'hosts-test' },
    'schedules.fires': { name: 'hosts-test', limit: 5 },
    'schedules.remove': { name: 'hosts-test' },
    'workflows.list': {},
    'workflows.run': { workflow: 'nightly_report', payload: { note: 'hosts test' }, identifier: 'hosts-run' },
    'workflows.runs': { limit: 5 },
    'workflows.show': { run: 'hosts-run' },
    'workflows.retry': { run: 'hosts-run' },
    'workflows.cancel': { run: 'hosts-run', reason: 'test' },
    'workflows.stuck': {},
    'workflows.stats': {},
    'alerts.list': {},
    'alerts.history': { limit: 5 },
    'alerts.ack': { rule: 'failure-spike', note: 'looking' },
    'alerts.silence': { rule: 'failure-spike', minutes: 30 },
    'alerts.checkRule': { text: 'name: hosts-rule\nkind: no_live_worker\n' },
    'alerts.saveRule': { rule: { name: 'hosts-rule', kind: 'no_live_worker' } },
    'alerts.deleteRule': { name: 'hosts-rule' },
    'rateLimits.list': {},
    'demo.start': { jobs: 3 },
  };
}

/**
 * No job runs in this test (nothing executes): failing job 1, which is pending, is refused as a conflict.
 * Neither host here writes a log file, so there is no log folder to open.
 */
const FIRST_OUTCOME: Partial<Record<CallName, string>> = {
  'jobs.fail': 'conflict',
  'settings.openLogFolder': 'conflict',
  // No evaluation has run yet in this test: the rule exists, its state does not.
  'alerts.ack': 'conflict',
  'alerts.silence': 'conflict',
  // The run just started has no failed or cancelled task to retry.
  'workflows.retry': 'conflict',
  // Job 1 is no dead letter in this store: naming it is a 404 on both hosts.
  'dlq.resolve': 'not_found',
  // No worker registered on this store: forgetting one is a 404 on both hosts.
  'workers.forget': 'not_found',
};

/** Outcomes a repeated well-formed call may have; anything else is a host or handler bug. */
const ACCEPTABLE = new Set(['ok', 'not_found', 'conflict']);

function outcome(response: ApiResponse): string {
  return response.ok ? 'ok' : response.error.code;
}

describe('every contract call through both hosts, on a real SQLite store', () => {
  let dir: string;
  let runtime: Awaited<ReturnType<typeof createRuntime>>;
  let server: RunningServer;
  let ipc: ReturnType<typeof fakeIpcMain>;
  let disposeIpc: () => void;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-hosts-'));
    runtime = await createRuntime({ words: CONSOLE_WORDS, db: join(dir, 'main.db'), registryPath, execute: false, env: { ...process.env, OPSDECK_REGISTRY: '' } });
    const call = (name: string, input: unknown) => dispatch(name, input, runtime.ctx);
    const subscribe = (listener: (event: string, payload: unknown) => void) => runtime.events.on(listener);
    server = await startServer({ port: 0, staticDir: dir, dispatch: call, subscribe });
    ipc = fakeIpcMain();
    disposeIpc = registerIpc(ipc.ipc, { dispatch: call, subscribe, isTrustedSender: isRendererUrl, send: () => undefined });
  });

  after(async () => {
    disposeIpc();
    await server.close();
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function overHttp(name: string, input: unknown): Promise<{ status: number; response: ApiResponse }> {
    const res = await rawRequest({
      port: server.port,
      path: `/api/call/${name}`,
      method: 'POST',
      body: JSON.stringify(input),
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', origin: server.origin },
    });
    return { status: res.status, response: ApiResponse.parse(JSON.parse(res.body)) };
  }

  async function overIpc(name: string, input: unknown): Promise<ApiResponse> {
    return ApiResponse.parse(await ipc.invoke(`${RENDERER_URL}#/`, name, input));
  }

  it('answers invalid input with invalid_input on both hosts, for every call', async () => {
    for (const name of CALL_NAMES) {
      for (const input of [{ not_a_field: true }, 'text', [1, 2]]) {
        const http = await overHttp(name, input);
        assert.equal(http.status, 400, `${name} over HTTP with ${JSON.stringify(input)}`);
        assert.equal(outcome(http.response), 'invalid_input', name);
        if (!http.response.ok) assert.ok((http.response.error.issues ?? []).length > 0, `${name} names no issue`);
        assert.equal(outcome(await overIpc(name, input)), 'invalid_input', `${name} over IPC`);
      }
    }
  });

  it('runs every call with a valid input on both hosts, with matching outcomes and statuses', async () => {
    const inputs = validInputs(dir);
    assert.deepEqual(Object.keys(inputs).sort(), [...CALL_NAMES].sort());
    const status: Record<string, number> = { ok: 200, not_found: 404, conflict: 409 };
    // In the table's order: jobs exist before they are fetched, cancelled and retried.
    for (const name of Object.keys(inputs).filter((n): n is CallName => CALL_NAMES.some((c) => c === n))) {
      const http = await overHttp(name, inputs[name]);
      const viaIpc = await overIpc(name, inputs[name]);
      const httpOutcome = outcome(http.response);
      assert.ok(ACCEPTABLE.has(httpOutcome), `${name} over HTTP: ${JSON.stringify(http.response)}`);
      assert.ok(ACCEPTABLE.has(outcome(viaIpc)), `${name} over IPC: ${JSON.stringify(viaIpc)}`);
      assert.equal(http.status, status[httpOutcome], name);
      // The first run (over HTTP) meets the state the table sets up; the repeat over IPC may find a job already changed.
      assert.equal(httpOutcome, FIRST_OUTCOME[name] ?? 'ok', `${name} over HTTP: ${JSON.stringify(http.response)}`);
    }
    const settings = await overIpc('settings.get', {});
    assert.ok(settings.ok);
    assert.match(JSON.stringify(settings.result), /other\.db/);
  });

  it('shares one control plane: an emergency stop over IPC shows over HTTP', async () => {
    const stop = await overIpc('control.emergencyStop', { reason: 'from the tray' });
    assert.ok(stop.ok);
    const seen = await overHttp('control.get', {});
    assert.ok(seen.response.ok);
    assert.match(JSON.stringify(seen.response.result), /"engaged":true/);
    assert.ok((await overHttp('control.resume', {})).response.ok);
  });
});
