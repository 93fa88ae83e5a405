import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { createRuntime, type Runtime } from '../api/runtime.ts';
import { EngineEmitter } from '../engine/engineEvents.ts';
import { Scheduler } from '../engine/scheduler.ts';
import { silentLogger } from '../log/logger.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { rawRequest } from './testing/http.ts';
import { createRestHandler } from './handler.ts';
import { startRestServer, type RunningRestServer } from './server.ts';
import { FailureThrottle } from './throttle.ts';

const registryPath = resolve(import.meta.dirname, '..', '..', 'examples', 'registry.yaml');
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.object({ path: z.string(), message: z.string() })).optional() }) });

/** The troubleshooting runbook's steps over real HTTP on 127.0.0.1: answers and refusals in REST's own words. */
describe('REST API v1: the runbook, step by step', () => {
  let runtime: Runtime;
  let server: RunningRestServer;
  let cleanup: () => Promise<void>;
  let readKey = '';
  let operateKey = '';

  before(async () => {
    const sqlite = await createSqliteTestStore();
    await sqlite.store.close();
    cleanup = sqlite.cleanup;
    runtime = await createRuntime({ db: sqlite.path, registryPath, execute: false, env: { ...process.env, OPSDECK_REGISTRY: '' } });
    server = await startRestServer({ host: '127.0.0.1', port: 0, handler: createRestHandler({ context: () => runtime.ctx, throttle: new FailureThrottle({ freeFailures: 3 }) }) });
    const make = async (name: string, scope: 'read' | 'operate') => {
      const res = await dispatch('apiKeys.create', { name, scope }, runtime.ctx);
      return calls['apiKeys.create'].output.parse(res.ok ? res.result : null).secret;
    };
    readKey = await make('monitor', 'read');
    operateKey = await make('ci-bot', 'operate');
  });

  after(async () => {
    await server?.close();
    await runtime?.close();
    await cleanup?.();
  });

  async function call(method: string, path: string, key: string, body?: unknown) {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await rawRequest({ port: server.port, path, method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json: unknown = JSON.parse(res.body);
    return { status: res.status, headers: res.headers, json };
  }

  function refusal(json: unknown) {
    return ErrorBody.parse(json).error;
  }

  it("safe mode as the runbook writes it, {\"enable\": true}: a 422 that names the key and the field it meant", async () => {
    const res = await call('POST', '/v1/control/safe-mode', operateKey, { enable: true });
    assert.equal(res.status, 422);
    const error = refusal(res.json);
    assert.equal(error.message, 'invalid input for control.safeMode: enable: not a field; did you mean enabled? (and 1 more)');
    assert.deepEqual(error.issues?.[0], { path: 'enable', message: 'not a field; did you mean enabled?' });
    assert.equal(error.issues?.[1]?.path, 'enabled', 'the field left out is still named');
    const far = refusal((await call('POST', '/v1/control/safe-mode', operateKey, { enabled: true, colour: 'red' })).json);
    assert.equal(far.message, 'invalid input for control.safeMode: colour: not a field (known: enabled, reason)', 'nothing close: the fields there are');
    const nested = refusal((await call('POST', '/v1/dlq/retry', operateKey, { selector: { service: 'flaky_sync', servce: 'x' } })).json);
    assert.equal(nested.issues?.[0]?.path, 'selector.servce');
    assert.match(nested.issues?.[0]?.message ?? '', /^not a field; did you mean service\?$/);
    const query = refusal((await call('GET', '/v1/executions?clas=timeout', readKey)).json);
    assert.deepEqual(query.issues?.[0], { path: 'query.clas', message: 'not a parameter; did you mean class?' });
    assert.equal((await call('GET', '/v1/control', readKey)).status, 200);
    const on = await call('POST', '/v1/control/safe-mode', operateKey, { enabled: true, reason: 'runbook: switch to safe mode' });
    assert.equal(on.status, 200, JSON.stringify(on.json));
    assert.equal((await call('POST', '/v1/control/safe-mode', operateKey, { enabled: false })).status, 200);
  });

  it('class=resource is refused naming the classes and resource_limit, not answered with an empty list', async () => {
    const res = await call('GET', '/v1/executions?class=resource', readKey);
    assert.equal(res.status, 422);
    const error = refusal(res.json);
    assert.equal(error.code, 'invalid_input');
    assert.deepEqual(error.issues?.map((i) => i.path), ['query.class']);
    assert.match(error.message, /^invalid query: query\.class: resource is no failure class opsdeck writes \(did you mean resource_limit\?\); the classes are resource_limit, timeout, .*, noop, or an exact status such as http_503/);
    const family = refusal((await call('GET', '/v1/executions?class=function', readKey)).json);
    assert.match(family.message, /did you mean function_not_found or function_error or function_crash\?/);
    for (const known of ['resource_limit', 'http_418', 'http_5xx', 'lambda_403']) {
      const listed = await call('GET', `/v1/executions?class=${known}`, readKey);
      assert.equal(listed.status, 200, known);
      assert.deepEqual(calls['jobs.list'].output.parse(listed.json).jobs, [], known);
    }
  });

  it("refusals name what to send in REST's words, never a command line", async () => {
    const pause = await call('POST', '/v1/control/queues/nosuch/pause', operateKey, {});
    assert.equal(pause.status, 404);
    const paused = refusal(pause.json).message;
    assert.match(paused, /^no queue named nosuch: no service, schedule or job uses it \(known: .*\); pausing with "force": true in the body pauses it all the same$/);
    assert.doesNotMatch(paused, /opsdeck|--force/);
    assert.equal((await call('POST', '/v1/control/queues/nosuch/pause', operateKey, { force: true, reason: 'not here yet' })).status, 200);
    assert.equal((await call('POST', '/v1/control/queues/nosuch/unpause', operateKey, {})).status, 200);

    const worker = refusal((await call('POST', '/v1/workers/gone-1/forget', operateKey, {})).json);
    assert.equal(worker.message, 'no worker gone-1 (GET /v1/workers lists them)');
    const schedule = refusal((await call('GET', '/v1/schedules/nightly', readKey)).json);
    assert.equal(schedule.message, 'no schedule named nightly (GET /v1/schedules shows them)');
    // A worker's scheduler puts the registry's schedules into the store.
    await new Scheduler({ store: runtime.ctx.store, registry: runtime.ctx.registry, workerId: 'w', emitter: new EngineEmitter(silentLogger), log: silentLogger }).syncRegistry();
    const fromRegistry = await call('POST', '/v1/schedules/nightly_echo_report/remove', operateKey, {});
    assert.equal(fromRegistry.status, 409);
    assert.match(refusal(fromRegistry.json).message, /or pause it \(POST \/v1\/schedules\/nightly_echo_report\/pause\)$/);
  });
});
