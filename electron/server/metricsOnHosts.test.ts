import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { createRuntime, type Runtime } from '../api/runtime.ts';
import { createMetrics } from '../metrics/metrics.ts';
import { Scrape } from '../metrics/testing/scrape.ts';
import { createRestHandler } from '../rest/handler.ts';
import { startRestServer, type RunningRestServer } from '../rest/server.ts';
import { startServer, type RunningServer } from './server.ts';
import { rawRequest } from './testing/http.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';

/** /metrics on the browser host and on `opsdeck api`: Prometheus text for the token or a key, never the console's page. */
describe('/metrics on the HTTP hosts', () => {
  let dir: string;
  let runtime: Runtime;
  let consoleHost: RunningServer;
  let apiHost: RunningRestServer;
  let readKey: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-metrics-host-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>opsdeck</title>');
    runtime = await createRuntime({ words: CONSOLE_WORDS, db: join(dir, 'host.db'), registryPath: null, execute: false, env: {} });
    const metrics = createMetrics();
    const rest = (isSession?: Parameters<typeof createRestHandler>[0]['isSession']) =>
      createRestHandler({ context: () => runtime.ctx, isSession, metrics: () => metrics.render(runtime.ctx) });
    consoleHost = await startServer({
      port: 0,
      staticDir: dir,
      dispatch: (name, input) => dispatch(name, input, runtime.ctx),
      subscribe: () => () => undefined,
      rest: (isSession) => rest(isSession),
    });
    apiHost = await startRestServer({ host: '127.0.0.1', port: 0, handler: rest() });
    const made = await dispatch('apiKeys.create', { name: 'prometheus', scope: 'read' }, runtime.ctx);
    readKey = calls['apiKeys.create'].output.parse(made.ok ? made.result : null).secret;
  });

  after(async () => {
    await consoleHost.close();
    await apiHost.close();
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the browser host answers the launch token and a read key with the metrics, and nobody else', async () => {
    const anonymous = await rawRequest({ port: consoleHost.port, path: '/metrics' });
    assert.equal(anonymous.status, 401);
    assert.doesNotMatch(anonymous.body, /<!doctype html>|opsdeck_/i);
    const wrong = await rawRequest({ port: consoleHost.port, path: '/metrics', headers: { authorization: 'Bearer odk_not-a-real-key' } });
    assert.equal(wrong.status, 401);
    for (const token of [consoleHost.token, readKey]) {
      const res = await rawRequest({ port: consoleHost.port, path: '/metrics', headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, res.body);
      assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const scrape = new Scrape(res.body);
      assert.equal(scrape.value('opsdeck_store_up'), 1);
      assert.equal(scrape.type('opsdeck_jobs_processed_total'), 'COUNTER');
    }
  });

  it('opsdeck api serves it to any key, and refuses what is not a GET', async () => {
    assert.equal((await rawRequest({ port: apiHost.port, path: '/metrics' })).status, 401);
    const res = await rawRequest({ port: apiHost.port, path: '/metrics', headers: { authorization: `Bearer ${readKey}` } });
    assert.equal(res.status, 200);
    assert.equal(new Scrape(res.body).value('opsdeck_dead_letters'), 0);
    const post = await rawRequest({ port: apiHost.port, path: '/metrics', method: 'POST', body: '{}', headers: { authorization: `Bearer ${readKey}`, 'content-type': 'application/json' } });
    assert.equal(post.status, 405);
  });
});
