import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tar from 'tar';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import type { Runtime } from '../api/runtime.ts';
import { EngineEmitter } from '../engine/engineEvents.ts';
import { Scheduler } from '../engine/scheduler.ts';
import { silentLogger } from '../log/logger.ts';
import { alice, deadLetter, job } from '../store/contract/fixtures.ts';
import { rawRequest } from './testing/http.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const registryPath = resolve(import.meta.dirname, '..', '..', 'examples', 'registry.yaml');
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.object({ path: z.string(), message: z.string() })).optional() }) });

/** The troubleshooting runbook's steps over real HTTP on 127.0.0.1: answers and refusals in REST's own words. */
describe('REST API v1: the runbook, step by step', () => {
  let rest: RestFixture;
  let readKey = '';
  let operateKey = '';
  let runtime: Runtime;

  before(async () => {
    rest = await startRestFixture(registryPath, { ...process.env, OPSDECK_REGISTRY: '' });
    ({ readKey, operateKey, runtime } = rest);
  });

  after(async () => {
    await rest?.close();
  });

  const call = (method: string, path: string, key: string, body?: unknown) => rest.call(method, path, key, body);

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
    assert.equal(far.message, 'invalid input for control.safeMode: colour: not a field (known: enabled, reason, drain)', 'nothing close: the fields there are');
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

  it('the dead letters of a failure class: /v1/dlq?class= picks them as /v1/executions?class= picks jobs, and refuses a class opsdeck never writes', async () => {
    const id = await deadLetter(runtime.ctx.store, 'flaky_sync', { message: 'the server closed the connection (UND_ERR_SOCKET)', error_class: 'connection', fingerprint: 'fp-rest-connection' });
    const picked = await call('GET', '/v1/dlq?class=connection', readKey);
    assert.equal(picked.status, 200, JSON.stringify(picked.json));
    assert.deepEqual(calls['dlq.list'].output.parse(picked.json).jobs.map((j) => j.id), [id]);
    assert.deepEqual(calls['dlq.list'].output.parse((await call('GET', '/v1/dlq?class=timeout', readKey)).json).jobs, []);
    const unknown = await call('GET', '/v1/dlq?class=resource', readKey);
    assert.equal(unknown.status, 422);
    assert.match(refusal(unknown.json).message, /^invalid query: query\.class: resource is no failure class opsdeck writes \(did you mean resource_limit\?\)/);
  });

  it("runbook 004's failed executions of a workflow: a workflow name the registry lacks is a 422 naming the one meant, not an empty list", async () => {
    for (const path of ['/v1/workflow-runs?workflow=nightly_reprot&status=failed&limit=10', '/v1/workflow-runs/stats?workflow=nightly_reprot']) {
      const res = await call('GET', path, readKey);
      assert.equal(res.status, 422, path);
      assert.deepEqual(refusal(res.json).issues, [{ path: 'query.workflow', message: 'no workflow named nightly_reprot in the registry loaded here (did you mean nightly_report? known: nightly_report)' }], path);
    }
    const known = await call('GET', '/v1/workflow-runs?workflow=nightly_report&status=cancelled&limit=10', readKey);
    assert.equal(known.status, 200, 'a known workflow with no such runs is a plain empty page');
    assert.deepEqual(known.json, { runs: [], next_cursor: null });
    // Taken out of the file, a workflow keeps its runs: an empty page of them (for a status) is not a typo.
    const task = { name: 'only', depends_on: [], pass_output: null, job: { ...job('retired_step'), identifier: 'retired-run-only' } };
    await runtime.ctx.store.startWorkflowRun({ identifier: 'retired-run', workflow: 'retired_report', payload: {}, stuckAfterMs: 3_600_000, tasks: [task] }, alice);
    const retired = await call('GET', '/v1/workflow-runs?workflow=retired_report&status=failed&limit=10', readKey);
    assert.equal(retired.status, 200, JSON.stringify(retired.json));
    assert.deepEqual(retired.json, { runs: [], next_cursor: null });
    assert.equal((await call('GET', '/v1/workflow-runs?workflow=retired_report&limit=10', readKey)).status, 200);
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

const SECRET = 'pay-tok-7f3a9c2e5b1d';

/** An upstream that wants the payments token: 401 without it, 200 with it. */
function startUpstream(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    res.writeHead(req.headers.authorization === `Bearer ${SECRET}` ? 200 : 401).end();
  });
  return new Promise((resolveStart) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolveStart({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

describe("REST API v1: the runbook's diagnostics (diagnose, support bundle, validate-config, test-connectivity, validate-token)", () => {
  let rest: RestFixture;
  let runtime: Runtime;
  let upstream: Server;
  let dir: string;
  let readKey = '';
  let operateKey = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-runbook-'));
    const up = await startUpstream();
    upstream = up.server;
    const registry = join(dir, 'registry.yaml');
    await writeFile(
      registry,
      [
        'services:',
        '  - name: payments',
        '    execution_type: http',
        '    runner_config:',
        `      base_url: "http://127.0.0.1:${up.port}"`,
        // Its jobs GET: the checks send only what its jobs send (a service whose jobs POST to its base_url is asked nothing).
        '      method: GET',
        '      auth_type: bearer',
        '      auth_config: { token_env_var: PAYMENTS_TOKEN }',
        '  - name: nightly_echo',
        '    execution_type: noop',
        '',
      ].join('\n'),
    );
    rest = await startRestFixture(registry, { PAYMENTS_TOKEN: SECRET, XDG_DATA_HOME: join(dir, 'data') });
    ({ readKey, operateKey, runtime } = rest);
    // A failure whose message echoes the token, as upstreams do: what a diagnosis and a bundle must cut.
    const { store } = runtime.ctx;
    await store.enqueue([{ queue: 'default', service_name: 'payments', execution_type: 'http', max_attempts: 1 }]);
    const [claimed] = await store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 });
    assert.ok(claimed);
    const error = { message: `401 for Bearer ${SECRET}`, error_class: 'http_401', fingerprint: 'fp-401' };
    await store.settle([{ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w', kind: 'failed', outcome: 'failed', error }]);
  });

  after(async () => {
    await rest?.close();
    upstream?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const call = (method: string, path: string, key: string, body?: unknown) => rest.call(method, path, key, body);

  it('diagnose --full: GET /v1/support/diagnosis for an operate key, secret values cut; a read key is told why not', async () => {
    const refused = await call('GET', '/v1/support/diagnosis', readKey);
    assert.equal(refused.status, 403);
    assert.match(ErrorBody.parse(refused.json).error.message, /^the API key "monitor" is a read key; GET \/v1\/support\/diagnosis needs an operate key: a diagnosis shows this host's configuration/);
    const res = await call('GET', '/v1/support/diagnosis', operateKey);
    assert.equal(res.status, 200, res.text);
    const diagnosis = calls['support.diagnose'].output.parse(res.json);
    assert.equal(diagnosis.store.dialect, 'sqlite');
    assert.deepEqual(diagnosis.error_patterns.map((p) => [p.count, p.sample_error]), [[1, '401 for Bearer [redacted]']]);
    assert.ok(!res.text.includes(SECRET), 'the diagnosis shows the token');
  });

  it('support-bundle: POST /v1/support/bundle for an operate key, the .tar.gz in the answer, no secret value in it, audited as the key', async () => {
    assert.equal((await call('POST', '/v1/support/bundle', readKey, {})).status, 403);
    const res = await call('POST', '/v1/support/bundle', operateKey, {});
    assert.equal(res.status, 200, res.text);
    const bundle = calls['support.bundle'].output.parse(res.json);
    const file = join(dir, bundle.file_name);
    await writeFile(file, Buffer.from(bundle.content_base64, 'base64'));
    const out = join(dir, 'bundle');
    await mkdir(out);
    await tar.x({ file, cwd: out });
    const names = (await readdir(out)).sort();
    assert.deepEqual(names, [...bundle.files].sort());
    const all = (await Promise.all(names.map((n) => readFile(join(out, n), 'utf8')))).join('\n');
    assert.ok(!all.includes(SECRET), 'the bundle holds the token');
    assert.match(all, /PAYMENTS_TOKEN/, 'the variable is named');
    const [entry] = (await runtime.ctx.store.listAudit({ action: 'support.bundle' }, { limit: 1 })).items;
    assert.equal(entry?.target, bundle.file_name);
    assert.match(entry?.actor ?? '', /^api-key:ci-bot@/);
  });

  it('validate-config: POST /v1/registry/validate checks the text it is sent, for any key, and reads no file on the server', async () => {
    const good = await call('POST', '/v1/registry/validate', readKey, { text: 'services:\n  - name: a\n    execution_type: noop\n' });
    assert.equal(good.status, 200, good.text);
    const readAnswer = calls['registry.validate'].output.parse(good.json);
    assert.deepEqual(readAnswer, { ok: true, problems: [], services: 1 }, 'a text naming nothing of the host leaves no check of it out');
    const operated = await call('POST', '/v1/registry/validate', operateKey, { text: 'services:\n  - name: a\n    execution_type: noop\n' });
    assert.deepEqual(calls['registry.validate'].output.parse(operated.json), { ok: true, problems: [], services: 1 });
    const bad = calls['registry.validate'].output.parse((await call('POST', '/v1/registry/validate', readKey, { text: 'services:\n  - name: a\n    execution_type: Shell\n' })).json);
    assert.equal(bad.ok, false);
    const wrongType = bad.problems.find((p) => p.path.endsWith('execution_type'));
    assert.match(wrongType?.message ?? '', /unknown execution type "Shell": did you mean "shell"\?/, JSON.stringify(bad.problems));
    assert.equal(wrongType?.line, 3, 'with its line');
    const file = await call('POST', '/v1/registry/validate', operateKey, { path: '/etc/passwd' });
    assert.equal(file.status, 422);
    assert.match(ErrorBody.parse(file.json).error.message, /^invalid body: path: not a field \(known: text\)/);
    const none = await call('POST', '/v1/registry/validate', operateKey, {});
    assert.deepEqual([none.status, ErrorBody.parse(none.json).error.issues?.[0]?.path], [422, 'text']);
  });

  it('test-connectivity and validate-token: each HTTP service layer by layer for any key; the token check sends the credential, so an operate key only', async () => {
    const all = calls['runners.connectivity'].output.parse((await call('GET', '/v1/runners/connectivity', readKey)).json);
    assert.deepEqual(all.services.map((s) => [s.service, s.ok]), [['payments', true]]);
    const one = calls['runners.connectivity'].output.parse((await call('GET', '/v1/runners/connectivity/payments', readKey)).json);
    assert.deepEqual(one.services[0]?.steps.map((s) => s.step), ['dns', 'tcp', 'http']);
    const unknown = await call('GET', '/v1/runners/connectivity/paymnts', readKey);
    assert.deepEqual([unknown.status, ErrorBody.parse(unknown.json).error.message], [404, 'service paymnts is not in the registry (did you mean payments? known: payments, nightly_echo)']);
    const noop = ErrorBody.parse((await call('GET', '/v1/runners/connectivity/nightly_echo', readKey)).json).error.message;
    assert.match(noop, /only HTTP services have a base_url and a credential to test \(GET \/v1\/runners probes every runner kind\)$/);

    const refused = await call('GET', '/v1/runners/token/payments', readKey);
    assert.equal(refused.status, 403);
    assert.match(ErrorBody.parse(refused.json).error.message, /needs an operate key: the check sends the service's credential to it/);
    const token = await call('GET', '/v1/runners/token/payments', operateKey);
    assert.equal(token.status, 200, token.text);
    const check = calls['runners.validateToken'].output.parse(token.json);
    assert.deepEqual([check.accepted, check.http_status, check.variables], [true, 200, [{ name: 'PAYMENTS_TOKEN', set: true }]]);
    assert.ok(!token.text.includes(SECRET));
  });

  it("test-connectivity --url: POST /v1/runners/connectivity/check tests a URL of the caller's own, layer by layer, for an operate key; a bad URL is refused saying what is wrong", async () => {
    const address = upstream.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/health?probe=1`;
    const refused = await call('POST', '/v1/runners/connectivity/check', readKey, { url });
    assert.equal(refused.status, 403);
    assert.match(ErrorBody.parse(refused.json).error.message, /is a read key; POST \/v1\/runners\/connectivity\/check needs an operate key: the check makes this host reach whatever address the URL names/);

    const tested = await call('POST', '/v1/runners/connectivity/check', operateKey, { url });
    assert.equal(tested.status, 200, tested.text);
    const [probe, ...others] = calls['runners.connectivity'].output.parse(tested.json).services;
    assert.deepEqual(others, [], 'the URL alone, not the services of the registry');
    assert.deepEqual([probe?.service, probe?.url, probe?.steps.map((s) => s.step)], [null, url.replace('?probe=1', ''), ['dns', 'tcp', 'http']]);
    // The upstream wants the payments token, and a probe sends none: the path is there, the answer a warning.
    assert.match(probe?.steps.at(-1)?.detail ?? '', /401/);
    const down = calls['runners.connectivity'].output.parse((await call('POST', '/v1/runners/connectivity/check', operateKey, { url: 'http://127.0.0.1:1/' })).json).services[0];
    assert.deepEqual([down?.ok, down?.steps.map((s) => [s.step, s.ok])], [false, [['dns', true], ['tcp', false]]], 'stops at the layer that fails');

    const problems: Array<[unknown, number, RegExp]> = [
      [{ url: 'ftp://files.example.com/x' }, 422, /^invalid body: url: only an http:\/\/ or https:\/\/ URL can be tested, not ftp:$/],
      [{ url: 'api.example.com' }, 422, /^invalid body: url: not a URL: write it whole, with its scheme, such as https:\/\/api\.example\.com$/],
      [{}, 422, /^invalid body: url: required: the http\(s\) URL to test, such as https:\/\/api\.example\.com$/],
      [{ url, service: 'payments' }, 422, /^invalid body: service: not a field/],
    ];
    for (const [body, status, message] of problems) {
      const res = await call('POST', '/v1/runners/connectivity/check', operateKey, body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.match(ErrorBody.parse(res.json).error.message, message, JSON.stringify(body));
    }
    // As a query, the URL would be ignored and every service tested in its place.
    const asQuery = await call('GET', `/v1/runners/connectivity?url=${encodeURIComponent(url)}`, readKey);
    assert.equal(asQuery.status, 422);
    assert.match(ErrorBody.parse(asQuery.json).error.message, /^a URL of your own is tested with POST \/v1\/runners\/connectivity\/check and \{"url": "…"\} in the body \(an operate key\)$/);
  });

  it('a query string on an endpoint that reads none is refused, naming it, not ignored: a dry run asked in the query retries nothing', async () => {
    const openFailures = async () => (await runtime.ctx.store.listJobs({ status: ['failed'] }, { limit: 10 })).items.map((j) => j.id);
    const before = await openFailures();
    assert.equal(before.length, 1, 'the dead letter made above');
    const asked = await call('POST', '/v1/dlq/retry?dry_run=true', operateKey, { selector: { fingerprint: 'fp-401' } });
    assert.equal(asked.status, 422, asked.text);
    const error = ErrorBody.parse(asked.json).error;
    assert.equal(error.message, 'invalid query: query.dry_run: not a parameter of this endpoint: a POST takes its fields in the JSON body, as {"dry_run": …}');
    assert.deepEqual(await openFailures(), before, 'still a dead letter');
    const listed = await call('GET', '/v1/runners/connectivity/payments?url=https%3A%2F%2Fexample.com&verbose=1', readKey);
    assert.equal(listed.status, 422);
    assert.deepEqual(ErrorBody.parse(listed.json).error.issues, [
      { path: 'query.url', message: 'not a parameter of this endpoint, which takes none' },
      { path: 'query.verbose', message: 'not a parameter of this endpoint, which takes none' },
    ]);
    assert.equal((await call('GET', '/v1/runners/connectivity/payments', readKey)).status, 200, 'without it, answered');
  });

  it('the OpenAPI document lists them, and names the operate key where one is needed', async () => {
    const doc = z.object({ paths: z.record(z.string(), z.record(z.string(), z.object({ security: z.array(z.record(z.string(), z.array(z.string()))).optional() }))) }).parse(JSON.parse((await rawRequest({ port: rest.port, path: '/v1/openapi.json' })).body));
    const security = (path: string, method: string) => doc.paths[path]?.[method]?.security;
    assert.deepEqual(security('/v1/support/diagnosis', 'get'), [{ apiKey: ['operate'] }]);
    assert.deepEqual(security('/v1/support/bundle', 'post'), [{ apiKey: ['operate'] }]);
    assert.deepEqual(security('/v1/runners/token/{service}', 'get'), [{ apiKey: ['operate'] }]);
    assert.equal(security('/v1/registry/validate', 'post'), undefined, 'any key');
    assert.equal(security('/v1/runners/connectivity/{service}', 'get'), undefined, 'any key');
    assert.deepEqual(security('/v1/runners/connectivity/check', 'post'), [{ apiKey: ['operate'] }], 'a URL of your own: an operate key');
    assert.deepEqual(security('/v1/control/safe-mode', 'post'), [{ apiKey: ['operate'] }]);
  });
});
