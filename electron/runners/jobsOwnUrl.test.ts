import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { HttpRunnerConfig } from '../../shared/registry.ts';
import { probeConnectivity, type ServiceCall } from './connectivity.ts';
import { HttpRunner } from './http.ts';
import { ServerlessRunner } from './serverless.ts';
import { listenLocal } from './testing/listen.ts';
import { service } from './testing/request.ts';
import { checkToken } from './tokenCheck.ts';

const WORKER = { process: "this worker's process", runsJobs: true };

/** The jobs of a service as test-connectivity reads them; method and path default as the registry's do. */
function jobs(method = 'POST', path = '/'): ServiceCall {
  return { method, path, sendsCredential: true, validateToken: 'opsdeck validate-token fn', resetBreaker: 'opsdeck breaker reset fn', maxRetryAfterS: 300 };
}

function bearer(baseUrl: string, extra: Record<string, unknown> = {}): HttpRunnerConfig {
  return HttpRunnerConfig.parse({ base_url: baseUrl, auth_type: 'bearer', auth_config: { token_env_var: 'FN_TOKEN' }, ...extra });
}

/**
 * A function URL that ignores the method, as Go's http.HandleFunc, a plain Node handler or an Azure-style
 * function does: any request to it does the jobs' work. Every request is counted, whatever its path.
 */
describe('checks of jobs that do not GET send nothing to the URL those jobs call', () => {
  let fn: Server;
  let origin: string;
  const seen: string[] = [];

  before(async () => {
    fn = createServer((req, res) => {
      seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
      res.writeHead(200).end('deployed');
    });
    origin = `http://127.0.0.1:${await listenLocal(fn)}`;
  });
  beforeEach(() => {
    seen.length = 0;
  });
  after(() => {
    fn.closeAllConnections();
    return new Promise<void>((resolve) => fn.close(() => resolve()));
  });

  const ownUrls = () => [
    { base: `${origin}/`, path: '/', said: `${origin}/` },
    { base: `${origin}/hooks/deploy`, path: '/', said: `${origin}/hooks/deploy` },
    { base: `${origin}/api/deploy?code=FUNCKEY`, path: '/', said: `${origin}/api/deploy` },
  ];

  it('test-connectivity stops after TCP with an inconclusive HTTP step where base_url is the jobs\' own URL', async () => {
    for (const { base, path, said } of ownUrls()) {
      const probed = await probeConnectivity(base, 2000, jobs('POST', path));
      assert.equal(probed.url, said);
      assert.deepEqual(
        probed.steps.map((s) => [s.step, s.ok, s.inconclusive ?? false]),
        [['dns', true, false], ['tcp', true, false], ['http', true, true]],
        base,
      );
      assert.equal(probed.steps.at(-1)?.detail, "no request sent: base_url is the jobs' own URL (their POST /), and a GET could do its work");
    }
    assert.deepEqual(seen, [], 'a method-ignoring server never hears from the check');
  });

  it('a base_url apart from their URL is asked without its query, and the answer stays inconclusive', async () => {
    const probed = await probeConnectivity(`${origin}/api?code=FUNCKEY`, 2000, jobs('POST', '/deploy'));
    assert.equal(probed.steps.at(-1)?.inconclusive, true);
    assert.deepEqual(seen, ['GET /api'], "the jobs never send base_url's query: nor does the check");
  });

  it('validate-token sends no request, with the credential or without, where base_url is their URL', async () => {
    for (const { base } of ownUrls()) {
      const check = await checkToken('fn', bearer(base), { FN_TOKEN: 'tok-77aa' }, WORKER, 'opsdeck test-connectivity fn');
      assert.deepEqual([check.tested, check.accepted], [false, null], check.detail);
      assert.equal(check.detail, "no request sent: base_url is the jobs' own URL (their POST /), and a GET could do its work: run one job to see whether the credential is accepted");
    }
    const apart = await checkToken('fn', bearer(`${origin}/api?code=FUNCKEY`, { path: '/deploy' }), { FN_TOKEN: 'tok-77aa' }, WORKER, 'opsdeck test-connectivity fn');
    assert.equal(apart.tested, true);
    assert.deepEqual(seen, ['GET /api', 'GET /api'], 'only a base_url apart from their URL, without its query');
  });

  it("health-check runner:http and runner:serverless connect to a function URL their jobs POST, and send it nothing", async () => {
    const http = ownUrls().map(({ base }, i) => service({ name: `fn${i}`, execution_type: 'http', runner_config: { base_url: base } }));
    const [atRoot] = http;
    assert.ok(atRoot);
    assert.deepEqual(await new HttpRunner().probe([atRoot], {}, WORKER), { ok: true, detail: '1 endpoint(s) answering' });
    const fnUrl = service({ name: 'azure_fn', execution_type: 'serverless', runner_config: { provider: 'http_function', url: `${origin}/?code=FUNCKEY` } });
    assert.equal((await new ServerlessRunner().probe([fnUrl], {}, WORKER)).ok, true);
    assert.deepEqual(seen, [], 'the origin was their URL: connected to, never asked');

    // Jobs that GET, or that call another path, leave the origin safe to ask.
    const reader = service({ name: 'reader', execution_type: 'http', runner_config: { base_url: `${origin}/`, method: 'GET' } });
    await new HttpRunner().probe([reader, ...http.slice(1)], {}, WORKER);
    assert.deepEqual(seen, ['GET /']);
  });

  it('health-check of a function URL that is gone still says it is down', async () => {
    const gone = createServer();
    const port = await listenLocal(gone);
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    const down = service({ name: 'gone_fn', execution_type: 'http', runner_config: { base_url: `http://127.0.0.1:${port}/` } });
    const probe = await new HttpRunner().probe([down], {}, WORKER);
    assert.equal(probe.ok, false);
    assert.equal(probe.detail, `1 of 1 service(s) not answering: gone_fn at http://127.0.0.1:${port} (ECONNREFUSED)`);
  });
});
