import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { ConnectivityStep } from '../../shared/connectivity.ts';
import { probeConnectivity, type ServiceCall } from './connectivity.ts';
import { HttpRunner } from './http.ts';
import { listenLocal } from './testing/listen.ts';
import { runRequest, service } from './testing/request.ts';

/**
 * An upstream whose every path answers as one state of a failing service does, to any method, and so does
 * every path below it (`/v1/down/work`): what the jobs meet there is what the probe must say, whether it
 * asked their own GET or, for jobs that POST, their base URL.
 */
function upstream(): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').replace(/^(\/v1\/[^/]+)\/.*$/, '$1');
    if (path === '/v1/down') return void res.writeHead(503).end('upstream unavailable');
    if (path === '/v1/down-for-a-while') return void res.writeHead(503, { 'retry-after': '120' }).end();
    if (path === '/v1/busy') return void res.writeHead(429, { 'retry-after': '30' }).end('slow down');
    if (path === '/v1/busy-for-long') return void res.writeHead(429, { 'retry-after': '900' }).end('slow down');
    if (path === '/v1/busy-unsaid') return void res.writeHead(429).end('slow down');
    if (path === '/v1/private') return void res.writeHead(401).end('who are you');
    // Moved to a path that answers 200: a probe that followed it would pass where the jobs fail.
    if (path === '/v1/moved') return void res.writeHead(301, { location: '/v1/fine' }).end();
    // Takes only POST, as many APIs do: a HEAD is answered 501 or 404, never with what a POST meets.
    if (path === '/v1/post-only') return void res.writeHead(req.method === 'POST' ? 200 : 501).end();
    if (path === '/v1/fine') return void res.writeHead(200).end('ok');
    res.writeHead(404).end('no such route');
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("test-connectivity's verdict is what the service's jobs would meet", () => {
  let server: Server;
  let base: string;

  before(async () => {
    server = upstream();
    base = `http://127.0.0.1:${await listenLocal(server)}/v1`;
  });
  after(() => close(server));

  const jobs = (method: string, path: string, extra: Partial<ServiceCall> = {}): ServiceCall => ({
    method,
    path,
    sendsCredential: false,
    validateToken: 'opsdeck validate-token llm_api',
    resetBreaker: 'opsdeck breaker reset llm_api',
    maxRetryAfterS: 300,
    ...extra,
  });
  const http = async (call: ServiceCall | undefined, url = base): Promise<ConnectivityStep | undefined> => (await probeConnectivity(url, 2000, call)).steps.find((s) => s.step === 'http');
  const verdict = (step: ConnectivityStep | undefined) => {
    if (step === undefined) return 'no http step';
    if (!step.ok) return 'fail';
    // Both where the jobs' own call was not tried: the warning is said, and no pass is made of it.
    if (step.inconclusive === true) return step.warning === true ? 'inconclusive, warn' : 'inconclusive';
    return step.warning === true ? 'warn' : 'ok';
  };

  it('a server error fails, to their GET or at the base URL of jobs that POST: resetting the breaker would send its jobs into the same failure', async () => {
    const get = await http(jobs('GET', '/down'));
    assert.equal(verdict(get), 'fail');
    assert.equal(
      get?.detail,
      `GET ${base}/down answered 503 Service Unavailable: the upstream still answers 503, a server error: its jobs fail with http_503 while it answers so; resetting its breaker now (opsdeck breaker reset llm_api) sends the jobs it holds into the same failure`,
    );
    const origin = await http(jobs('POST', '/work'), `${base}/down`);
    assert.equal(verdict(origin), 'fail', 'the upstream answers its state wherever it is asked');
    assert.match(origin?.detail ?? '', /^GET http:\/\/127\.0\.0\.1:\d+\/v1\/down answered 503 Service Unavailable: the upstream still answers 503 at its base_url, a server error/);
    const later = await http(jobs('POST', '/work'), `${base}/down-for-a-while`);
    assert.match(later?.detail ?? '', /answered 503 Service Unavailable: the upstream still answers 503 at its base_url \(Retry-After 120s\), a server error/);

    const job = await new HttpRunner().run(runRequest(service({ execution_type: 'http', runner_config: { base_url: base, path: '/down', method: 'POST' } })));
    assert.equal(job.error?.error_class, 'http_503', 'the job meets what the probe said');
  });

  it('429 warns, naming Retry-After (at the base URL of jobs that POST, no pass either); one past max_retry_after fails, as those jobs go to the dead-letter queue', async () => {
    const busy = await http(jobs('POST', '/work'), `${base}/busy`);
    assert.equal(verdict(busy), 'inconclusive, warn', 'their POST was not tried: a check that exits 0 on this would reset breakers on no evidence');
    assert.equal(
      busy?.detail,
      `GET ${base}/busy answered 429 Too Many Requests: rate limited at its base_url (Retry-After 30s): its jobs fail with http_429 while it answers so, each a failure its breaker counts, and try again after the wait; resetting its breaker now (opsdeck breaker reset llm_api) sends the jobs it holds into the same limit`,
    );
    const unsaid = await http(jobs('GET', '/busy-unsaid'));
    assert.equal(verdict(unsaid), 'warn');
    assert.match(unsaid?.detail ?? '', /answered 429 Too Many Requests: rate limited \(no Retry-After\): .* try again after their backoff;/);
    const long = await http(jobs('GET', '/busy-for-long'));
    assert.equal(verdict(long), 'fail');
    assert.match(long?.detail ?? '', /rate limited \(Retry-After 900s, past its max_retry_after of 300s\): its jobs fail as rate_limited while it answers so, not retried; resetting its breaker now \(opsdeck breaker reset llm_api\) sends the jobs it holds to the dead-letter queue$/);
    assert.equal(verdict(await http(jobs('GET', '/busy-for-long', { maxRetryAfterS: 1800 }))), 'warn', 'within its own max_retry_after, its jobs wait');

    const job = await new HttpRunner().run(runRequest(service({ execution_type: 'http', runner_config: { base_url: base, path: '/busy-for-long', method: 'GET' } })));
    assert.equal(job.error?.error_class, 'rate_limited', 'the job meets what the probe said');
  });

  it('any other answer their own GET fails on warns', async () => {
    const missing = await http(jobs('GET', '/missing'));
    assert.equal(verdict(missing), 'warn');
    assert.equal(missing?.detail, `GET ${base}/missing answered 404 Not Found: its jobs that call this URL fail with http_404, not retried: into the dead-letter queue`);
    const moved = await http(jobs('GET', '/moved'));
    assert.equal(verdict(moved), 'warn', 'not followed, as the runner follows none');
    assert.equal(moved?.detail, `GET ${base}/moved answered 301 Moved Permanently: a redirect, which its jobs do not follow: those that call this URL fail with http_301, not retried: into the dead-letter queue`);
    const job = await new HttpRunner().run(runRequest(service({ execution_type: 'http', runner_config: { base_url: base, path: '/moved', method: 'GET' } })));
    assert.deepEqual([job.error?.error_class, job.error?.retryable], ['http_301', false], 'the job meets what the probe said');

    assert.equal(verdict(await http(jobs('GET', '/post-only'))), 'fail', 'to their own GET, 501 is what they fail on');
    assert.equal(verdict(await http(jobs('GET', '/fine'))), 'ok');
  });

  it("jobs that POST: anything but a server error or a rate limit at their base URL is no pass, as it says nothing of their POST", async () => {
    const fine = await http(jobs('POST', '/work'), `${base}/fine`);
    assert.equal(verdict(fine), 'inconclusive', 'a 200 of the base URL is not a 200 of their POST');
    assert.equal(fine?.detail, `GET ${base}/fine answered 200 OK, which says nothing of whether its jobs succeed: their POST /work was not tried (it could do work upstream)`);
    const postOnly = await http(jobs('POST', '/work'), `${base}/post-only`);
    assert.equal(verdict(postOnly), 'inconclusive', '501 to a GET of the base URL is about that GET');
    assert.match(postOnly?.detail ?? '', /answered 501 Not Implemented, which says nothing of whether its jobs succeed/);
    for (const answer of ['missing', 'moved', 'private']) {
      assert.equal(verdict(await http(jobs('POST', '/work', { sendsCredential: true }), `${base}/${answer}`)), 'inconclusive', answer);
    }
  });

  it("a path the runner refuses warns with the refusal, and is no pass, whatever the base URL answers: every job without its own path fails on it", async () => {
    const refusal = "its jobs' path is refused before any is sent (path must start with a single '/': 'chat'): every job without its own payload.path fails as payload, not retried";
    const fine = await http(jobs('POST', 'chat'), `${base}/fine`);
    assert.deepEqual([verdict(fine), fine?.detail], ['inconclusive, warn', `GET ${base}/fine answered 200 OK, but ${refusal}`]);
    for (const [method, answer] of [['GET', 'private'], ['GET', 'missing'], ['DELETE', 'moved']] as const) {
      const step = await http(jobs(method, 'chat', { sendsCredential: true }), `${base}/${answer}`);
      assert.deepEqual([verdict(step), step?.detail.endsWith(`, but ${refusal}`)], ['inconclusive, warn', true], `${method} ${answer}`);
    }
    const busy = await http(jobs('POST', 'chat'), `${base}/busy`);
    assert.equal(verdict(busy), 'inconclusive, warn');
    assert.match(busy?.detail ?? '', /rate limited at its base_url \(Retry-After 30s\): .* into the same limit; besides, its jobs' path is refused/);
    const down = await http(jobs('POST', 'chat'), `${base}/down`);
    assert.equal(verdict(down), 'fail', 'the upstream unwell still fails');
    assert.match(down?.detail ?? '', /a server error: .* into the same failure; besides, its jobs' path is refused/);

    const job = await new HttpRunner().run(runRequest(service({ execution_type: 'http', runner_config: { base_url: `${base}/fine`, path: 'chat', method: 'POST' } })));
    assert.deepEqual([job.error?.error_class, job.error?.retryable], ['payload', false], 'the job meets what the probe said');
  });

  it('401 and 403: a refusal of jobs that send no credential warns; of jobs that send one, it points to validate-token', async () => {
    const refused = await http(jobs('GET', '/private'));
    assert.equal(verdict(refused), 'warn');
    assert.equal(refused?.detail, `GET ${base}/private answered 401 Unauthorized: a refusal, and its jobs send no credential (auth_type none): they are refused too`);
    const withCredential = await http(jobs('GET', '/private', { sendsCredential: true }));
    assert.equal(verdict(withCredential), 'ok', 'its jobs send a credential the probe does not');
    assert.equal(withCredential?.detail, `GET ${base}/private answered 401 Unauthorized without a credential (a probe sends none; opsdeck validate-token llm_api tries the one its jobs send)`);
  });

  it('a URL given alone: a server error fails, a rate limit warns, anything else passes', async () => {
    const down = await http(undefined, `${base}/down-for-a-while`);
    assert.deepEqual([verdict(down), down?.detail], ['fail', `GET ${base}/down-for-a-while answered 503 Service Unavailable: a server error (Retry-After 120s)`]);
    const busy = await http(undefined, `${base}/busy`);
    assert.deepEqual([verdict(busy), busy?.detail], ['warn', `GET ${base}/busy answered 429 Too Many Requests: rate limited (Retry-After 30s)`]);
    const missing = await http(undefined, `${base}/missing`);
    assert.deepEqual([verdict(missing), missing?.detail], ['ok', `GET ${base}/missing answered 404 Not Found`]);
  });
});
