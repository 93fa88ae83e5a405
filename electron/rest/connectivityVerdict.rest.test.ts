import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls, type CallOutput } from '../../shared/contract.ts';
import { evidenceLines } from '../../shared/serviceEvidence.ts';
import { dispatch } from '../api/dispatch.ts';
import { Engine } from '../engine/engine.ts';
import { waitFor } from '../engine/testing/harness.ts';
import { createRunners } from '../runners/registry.ts';
import { listenLocal } from '../runners/testing/listen.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

type Connectivity = CallOutput<'runners.connectivity'>;

/**
 * The operator's incident: the origin answers 404 (no resource there), the URL the jobs POST answers 503,
 * and does its work for any method, as many handlers do; another origin answers 429 with Retry-After
 * wherever it is asked; a third service, whose jobs GET, is well. Every request is noted.
 */
function upstream(seen: string[]): Server {
  return createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers['user-agent'] ?? ''}`);
    if (req.url === '/api/v1/chat') return void res.writeHead(503).end('no healthy upstream');
    if (req.url?.startsWith('/limited')) return void res.writeHead(429, { 'retry-after': '45' }).end('slow down');
    if (req.url === '/api/v1/models') return void res.writeHead(200).end('[]');
    res.writeHead(404).end('not found');
  });
}

/** What the verdict is made of, without the words that name each interface's own controls. */
function verdicts(answer: Connectivity) {
  return answer.services.map((s) => ({
    service: s.service,
    url: s.url,
    method: s.method,
    jobs_call: s.jobs_call,
    ok: s.ok,
    warning: s.warning,
    inconclusive: s.inconclusive,
    steps: s.steps.map((step) => [step.step, step.ok, step.warning ?? false, step.inconclusive ?? false]),
  }));
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
    // One failure opens a breaker, and a failed job is not retried: one job makes the evidence.
    const service = (name: string, method: string, path: string) => [
      `  - name: ${name}`,
      '    execution_type: http',
      `    runner_config: { base_url: "${origin}/api", path: ${path}, method: ${method} }`,
      '    retry_config: { max_retries: 0 }',
      '    circuit_breaker: { failure_threshold: 1, minimum_volume: 1 }',
    ];
    const limited = [`  - name: llm_api`, '    execution_type: http', `    runner_config: { base_url: "${origin}/limited", path: /v1/complete, method: POST }`];
    await writeFile(registry, ['services:', ...service('openrouter', 'POST', '/v1/chat'), ...limited, ...service('models', 'GET', '/v1/models'), ''].join('\n'));
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
  const fromRest = async (method: string, path: string, key: string, body?: unknown): Promise<Connectivity> => {
    const res = await rest.call(method, path, key, body);
    assert.equal(res.status, 200, res.text);
    return calls['runners.connectivity'].output.parse(res.json);
  };

  it("a service whose jobs POST: its base URL is asked, never their path, and its 404 is inconclusive, from the console and over REST with a read key alike", async () => {
    const consoleAnswer = await fromConsole({ service: 'openrouter' });
    const restAnswer = await fromRest('GET', '/v1/runners/connectivity/openrouter', rest.readKey);
    assert.deepEqual(verdicts(restAnswer), verdicts(consoleAnswer));
    assert.deepEqual(verdicts(consoleAnswer), [
      { service: 'openrouter', url: `${origin}/api`, method: 'GET', jobs_call: "the jobs' POST /v1/chat was not tried: it could do work upstream", ok: true, warning: false, inconclusive: true, steps: [['dns', true, false, false], ['tcp', true, false, false], ['http', true, false, true]] },
    ]);
    assert.deepEqual(seen.filter((request) => request.includes('/v1/chat')), [], 'no check reached the URL the jobs POST, whatever its method');
    const evidence = consoleAnswer.services[0]?.evidence;
    assert.deepEqual(
      evidenceLines(evidence ?? { read: false, why: 'none' }).slice(0, 2),
      [`read from the store at ${rest.runtime.ctx.store.location}`, 'breaker: closed; no failure counted since it was last reset'],
      'no job has run yet; the store is named, as a command may read another than the workers\'',
    );
    const readKeys = restAnswer.services[0]?.evidence;
    assert.deepEqual(readKeys?.read === true ? readKeys.store : 'unread', null, "a read key is not told where this host's store is");
  });

  it("what tells whether to reset: the breaker its jobs opened and their failures, from the store, on both alike", async () => {
    const { store, registry } = rest.runtime.ctx;
    await store.enqueue([{ queue: 'default', service_name: 'openrouter', execution_type: 'http', max_attempts: 1 }]);
    const engine = new Engine({ store, registry, runners: createRunners(), concurrency: 1, pollMs: 20, env: {} });
    await engine.start();
    try {
      await waitFor('the job to fail', async () => ((await store.getBreaker('openrouter'))?.state === 'open' ? true : undefined));
    } finally {
      await engine.stop({ graceMs: 0 });
    }
    const consoleAnswer = await fromConsole({ service: 'openrouter' });
    const restAnswer = await fromRest('GET', '/v1/runners/connectivity/openrouter', rest.readKey);
    const evidence = consoleAnswer.services[0]?.evidence;
    assert.ok(evidence?.read === true, JSON.stringify(evidence));
    assert.deepEqual(restAnswer.services[0]?.evidence, { ...evidence, store: null }, "no interface words in it; a read key is not told where the store is");
    const failed = `HTTP 503 from POST ${origin}/api/v1/chat: no healthy upstream`;
    assert.deepEqual([evidence.breaker.state, evidence.breaker.last_error], ['open', failed]);
    assert.deepEqual(
      evidence.failures.classes.map((c) => [c.error_class, c.failures, c.dead_lettered, c.sample_error]),
      [['http_503', 1, 1, failed]],
    );
    assert.deepEqual([evidence.failures.minutes, evidence.failures.total, evidence.failures.dead_lettered], [60, 1, 1]);
    assert.deepEqual(consoleAnswer.services[0]?.steps.at(-1)?.inconclusive, true, 'the base URL still says nothing of the POST');
    assert.deepEqual(
      evidenceLines(evidence).map((line) => line.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME')),
      [
        `read from the store at ${rest.runtime.ctx.store.location}`,
        `breaker: open since TIME; its last error: ${failed}`,
        '1 failed attempt(s) of its jobs in the last 60m (since TIME), 1 of them into the dead-letter queue:',
        `http_503: 1, the last at TIME: ${failed}`,
      ],
    );
    assert.deepEqual(seen.filter((request) => request.includes('/v1/chat') && !request.includes('opsdeck-runner')), [], 'only the job sent its POST');
  });

  it("every service at once: an origin answering 429 with Retry-After warns, yet cannot tell of jobs that POST; a well one passes, alike on both", async () => {
    const consoleAnswer = await fromConsole({});
    const restAnswer = await fromRest('GET', '/v1/runners/connectivity', rest.operateKey);
    assert.deepEqual(verdicts(restAnswer), verdicts(consoleAnswer));
    assert.deepEqual(
      consoleAnswer.services.map((s) => [s.service, s.ok, s.warning, s.inconclusive]),
      [['openrouter', true, false, true], ['llm_api', true, true, true], ['models', true, false, false]],
    );
    assert.match(restAnswer.services[1]?.steps.at(-1)?.detail ?? '', /answered 429 Too Many Requests: rate limited at its base_url \(Retry-After 45s\): .*resetting its breaker now \(POST \/v1\/breakers\/llm_api\/reset\) sends the jobs it holds into the same limit$/);
    assert.equal(restAnswer.services[2]?.jobs_call, null, 'a GET is the jobs\' own call');
    assert.deepEqual(restAnswer.services.map((s) => s.evidence?.read ?? null), [true, true, null], "evidence only where the check did not send the jobs' call");
  });

  it('a URL of your own: the same verdict from the console and POST /v1/runners/connectivity/check', async () => {
    const url = `${origin}/api/v1/chat`;
    const consoleAnswer = await fromConsole({ url });
    const restAnswer = await fromRest('POST', '/v1/runners/connectivity/check', rest.operateKey, { url });
    const untimed = (answer: Connectivity) => answer.services.map((s) => ({ ...s, steps: s.steps.map(({ ms: _ms, ...step }) => step) }));
    assert.deepEqual(untimed(restAnswer), untimed(consoleAnswer), 'no interface words in it: the same answer whole, but for the time each step took');
    assert.deepEqual([consoleAnswer.services[0]?.ok, consoleAnswer.services[0]?.steps.at(-1)?.detail], [false, `GET ${url} answered 503 Service Unavailable: a server error`]);
    assert.ok(!seen.some((request) => request.startsWith('POST ') && request.includes('opsdeck-probe/')), `no check sent the jobs' POST: ${seen.join(', ')}`);
  });
});
