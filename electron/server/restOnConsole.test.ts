import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dispatch } from '../api/dispatch.ts';
import { createRuntime, type Runtime } from '../api/runtime.ts';
import { createRestHandler } from '../rest/handler.ts';
import { startServer, type RunningServer } from './server.ts';
import { rawRequest } from './testing/http.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';

/** The browser host serves REST API v1 beside the console: JSON for every /v1 path, never the console's page. */
describe('REST API v1 on the browser host', () => {
  let dir: string;
  let runtime: Runtime;
  let withRest: RunningServer;
  let without: RunningServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-host-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>opsdeck</title>');
    runtime = await createRuntime({ words: CONSOLE_WORDS, db: join(dir, 'host.db'), registryPath: null, execute: false, env: {} });
    const common = { port: 0, staticDir: dir, dispatch: (name: string, input: unknown) => dispatch(name, input, runtime.ctx), subscribe: () => () => undefined };
    withRest = await startServer({ ...common, rest: (isSession) => createRestHandler({ context: () => runtime.ctx, isSession }) });
    without = await startServer(common);
  });

  after(async () => {
    await withRest.close();
    await without.close();
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers /healthz without the token and /v1 with it, as the console session', async () => {
    const live = await rawRequest({ port: withRest.port, path: '/healthz' });
    assert.deepEqual([live.status, JSON.parse(live.body)], [200, { status: 'ok' }]);
    const anonymous = await rawRequest({ port: withRest.port, path: '/v1/control' });
    assert.equal(anonymous.status, 401);
    const session = await rawRequest({ port: withRest.port, path: '/v1/control', headers: { authorization: `Bearer ${withRest.token}` } });
    assert.equal(session.status, 200, session.body);
    const stop = await rawRequest({ port: withRest.port, path: '/v1/control/emergency-stop', method: 'POST', body: '{}', headers: { authorization: `Bearer ${withRest.token}`, 'content-type': 'application/json' } });
    assert.equal(stop.status, 200);
    const audit = await runtime.ctx.store.listAudit({ action: 'control.emergency_stop' }, { limit: 1 });
    assert.doesNotMatch(audit.items[0]?.actor ?? '', /^api-key:/, 'the console session acts as its OS user');
  });

  it('never answers a /v1 path with the console page, with or without the API configured', async () => {
    for (const server of [withRest, without]) {
      for (const path of ['/v1/health', '/v1/executions', '/v1/nope', '/readyz']) {
        const res = await rawRequest({ port: server.port, path, headers: { authorization: `Bearer ${server.token}` } });
        assert.match(String(res.headers['content-type']), /^application\/json/, `${path} on ${server === withRest ? 'with' : 'without'}`);
        assert.doesNotMatch(res.body, /<!doctype html>/i);
      }
    }
    const page = await rawRequest({ port: without.port, path: '/v1/health', headers: { authorization: `Bearer ${without.token}` } });
    assert.equal(page.status, 404);
  });

  it("names the v1 route of a runbook's /api/ path, to an API key or no key at all; the console's own /api/ is as it was", async () => {
    const body = JSON.stringify({ title: 'Health check', task_type: 'evaluation', payload: {} });
    const tasks = await rawRequest({ port: withRest.port, path: '/api/tasks', method: 'POST', body, headers: { authorization: 'Bearer odk_someone_elses', 'content-type': 'application/json' } });
    assert.equal(tasks.status, 404);
    assert.deepEqual(JSON.parse(tasks.body), { error: { code: 'not_found', message: "no endpoint POST /api/tasks: opsdeck's is POST /v1/executions (GET /v1/openapi.json lists every endpoint)" } });
    const unknown = await rawRequest({ port: withRest.port, path: '/api/nothing-like-it' });
    assert.equal(unknown.status, 401, 'a path nothing maps to is the console API, for its session only');
    const call = await rawRequest({ port: withRest.port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: { authorization: `Bearer ${withRest.token}`, 'content-type': 'application/json' } });
    assert.equal(call.status, 200, call.body);
  });

  it('a host without REST says it has none for a runbook path, rather than name a v1 route it does not serve', async () => {
    const tasks = await rawRequest({ port: without.port, path: '/api/tasks', method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(tasks.status, 404);
    assert.deepEqual(JSON.parse(tasks.body), { error: { code: 'not_found', message: 'no REST API on this host: /api/tasks' } });
    const v1 = await rawRequest({ port: without.port, path: '/v1/executions', headers: { authorization: `Bearer ${without.token}` } });
    assert.deepEqual(JSON.parse(v1.body), { error: { code: 'not_found', message: 'no REST API on this host: /v1/executions' } }, 'as for the path it names');
  });
});
