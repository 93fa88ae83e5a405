import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls, type CallOutput } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { listenLocal } from '../runners/testing/listen.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

type Connectivity = CallOutput<'runners.connectivity'>;

/**
 * The operator's incident: the origin answers 404 (no resource there), the URL the jobs POST answers 503,
 * another service's 429 with Retry-After; a third is well. Every request is noted, to show none is a POST.
 */
function upstream(seen: string[]): Server {
  return createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    if (req.url === '/api/v1/chat') return void res.writeHead(503).end('no healthy upstream');
    if (req.url === '/api/v1/complete') return void res.writeHead(429, { 'retry-after': '45' }).end('slow down');
    if (req.url === '/api/v1/models') return void res.writeHead(200).end('[]');
    res.writeHead(404).end('not found');
  });
}

/** What the verdict is made of, without the words that name each interface's own controls. */
function verdicts(answer: Connectivity) {
  return answer.services.map((s) => ({ service: s.service, url: s.url, method: s.method, jobs_call: s.jobs_call, ok: s.ok, warning: s.warning, steps: s.steps.map((step) => [step.step, step.ok, step.warning ?? false]) }));
}

describe('the console and REST give one verdict of a service, the one its jobs would meet', () => {
  let dir: string;
  let server: Server;
  let rest: RestFixture;
  let origin: string;
  const seen: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-connectivity-verdict-'));
    server = upstream(seen);
    origin = `http://127.0.0.1:${await listenLocal(server)}`;
    const registry = join(dir, 'registry.yaml');
    const service = (name: string, method: string, path: string) => [`  - name: ${name}`, '    execution_type: http', `    runner_config: { base_url: "${origin}/api", path: ${path}, method: ${method} }`];
    await writeFile(registry, ['services:', ...service('openrouter', 'POST', '/v1/chat'), ...service('llm_api', 'POST', '/v1/complete'), ...service('models', 'GET', '/v1/models'), ''].join('\n'));
    rest = await startRestFixture(registry, {});
  });

  after(async () => {
    await rest.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  /** The console's call: what the desktop's IPC and opsdeck serve dispatch, in the console's words. */
  const fromConsole = async (input: unknown): Promise<Connectivity> => {
    const answer = await dispatch('runners.connectivity', input, rest.runtime.ctx);
    assert.ok(answer.ok, JSON.stringify(answer));
    return calls['runners.connectivity'].output.parse(answer.result);
  };
  const fromRest = async (method: string, path: string, body?: unknown): Promise<Connectivity> => {
    const res = await rest.call(method, path, rest.operateKey, body);
    assert.equal(res.status, 200, res.text);
    return calls['runners.connectivity'].output.parse(res.json);
  };

  it('503 on the URL the jobs POST fails on both, though the origin answers 404; each names its own reset', async () => {
    const consoleAnswer = await fromConsole({ service: 'openrouter' });
    const restAnswer = await fromRest('GET', '/v1/runners/connectivity/openrouter');
    assert.deepEqual(verdicts(restAnswer), verdicts(consoleAnswer));
    assert.deepEqual(verdicts(consoleAnswer), [
      { service: 'openrouter', url: `${origin}/api/v1/chat`, method: 'HEAD', jobs_call: 'the jobs POST it', ok: false, warning: false, steps: [['dns', true, false], ['tcp', true, false], ['http', false, false]] },
    ]);
    const said = (answer: Connectivity) => answer.services[0]?.steps.at(-1)?.detail;
    assert.equal(said(consoleAnswer), `HEAD ${origin}/api/v1/chat answered 503 Service Unavailable: the upstream still answers 503, a server error: its jobs fail with http_503 while it answers so; resetting its breaker now (Reset beside openrouter on the Breakers page) sends the jobs it holds into the same failure`);
    assert.equal(said(restAnswer), said(consoleAnswer)?.replace('Reset beside openrouter on the Breakers page', 'POST /v1/breakers/openrouter/reset'));
  });

  it('every service at once: 429 with Retry-After warns, a well one passes, alike on both', async () => {
    const consoleAnswer = await fromConsole({});
    const restAnswer = await fromRest('GET', '/v1/runners/connectivity');
    assert.deepEqual(verdicts(restAnswer), verdicts(consoleAnswer));
    assert.deepEqual(
      consoleAnswer.services.map((s) => [s.service, s.ok, s.warning]),
      [['openrouter', false, false], ['llm_api', true, true], ['models', true, false]],
    );
    assert.match(restAnswer.services[1]?.steps.at(-1)?.detail ?? '', /answered 429 Too Many Requests: rate limited \(Retry-After 45s\): .*resetting its breaker now \(POST \/v1\/breakers\/llm_api\/reset\) sends the jobs it holds into the same limit$/);
    assert.equal(restAnswer.services[2]?.jobs_call, null, 'a GET is the jobs\' own call');
  });

  it('a URL of your own: the same verdict from the console and POST /v1/runners/connectivity/check', async () => {
    const url = `${origin}/api/v1/chat`;
    const consoleAnswer = await fromConsole({ url });
    const restAnswer = await fromRest('POST', '/v1/runners/connectivity/check', { url });
    const untimed = (answer: Connectivity) => answer.services.map((s) => ({ ...s, steps: s.steps.map(({ ms: _ms, ...step }) => step) }));
    assert.deepEqual(untimed(restAnswer), untimed(consoleAnswer), 'no interface words in it: the same answer whole, but for the time each step took');
    assert.deepEqual([consoleAnswer.services[0]?.ok, consoleAnswer.services[0]?.steps.at(-1)?.detail], [false, `GET ${url} answered 503 Service Unavailable: a server error`]);
    assert.ok(!seen.some((request) => request.startsWith('POST ')), `no check sent the jobs' POST: ${seen.join(', ')}`);
  });
});
