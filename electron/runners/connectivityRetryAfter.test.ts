import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, afterEach, before, describe, it, mock } from 'node:test';
import { probeConnectivity, type ServiceCall } from './connectivity.ts';
import { HttpRunner } from './http.ts';
import { listenLocal } from './testing/listen.ts';
import { runRequest, service } from './testing/request.ts';

/** A whole second, and the moment 600 ms past it the clock is held at: an HTTP date is in whole seconds. */
const SECOND = Date.UTC(2026, 11, 7, 12, 0, 0);
const NOW = SECOND + 600;
/** 300 s past the whole second: 299.4 s from NOW, which rounds up to 300 s. */
const IN_300S = new Date(SECOND + 300_000).toUTCString();

/** `/STATUS/RETRY-AFTER` answers that status with that Retry-After (an HTTP date written with `_` for its spaces). */
function upstream(): Server {
  return createServer((req, res) => {
    const [, status = '200', retryAfter = ''] = (req.url ?? '').split('/');
    res.writeHead(Number(status), { 'retry-after': decodeURIComponent(retryAfter).replaceAll('_', ' ') }).end('slow down');
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("a Retry-After past max_retry_after is read by test-connectivity as the runner reads it: the jobs' class and fate", () => {
  let server: Server;
  let base: string;

  before(async () => {
    server = upstream();
    base = `http://127.0.0.1:${await listenLocal(server)}`;
  });
  after(() => close(server));
  afterEach(() => mock.timers.reset());

  const jobs = (maxRetryAfterS: number): ServiceCall => ({
    method: 'GET',
    path: '/',
    sendsCredential: false,
    validateToken: 'opsdeck validate-token llm_api',
    resetBreaker: 'opsdeck breaker reset llm_api',
    maxRetryAfterS,
  });

  /** What the probe says of the jobs' own GET of `path`, and the class the job itself fails with there. */
  async function both(path: string, maxRetryAfterS: number): Promise<{ level: string; detail: string; jobClass: string | undefined }> {
    const probed = await probeConnectivity(base, 2000, { ...jobs(maxRetryAfterS), path });
    const http = probed.steps.find((s) => s.step === 'http');
    const level = http === undefined ? 'none' : !http.ok ? 'fail' : http.warning === true ? 'warn' : 'ok';
    const job = await new HttpRunner().run(runRequest(service({ execution_type: 'http', runner_config: { base_url: base, path, method: 'GET', max_retry_after: maxRetryAfterS } })));
    return { level, detail: http?.detail ?? '', jobClass: job.error?.error_class };
  }

  it('a 503 past it is rate_limited, not http_503: dead-lettered, not retried', async () => {
    const past = await both('/503/301', 300);
    assert.equal(past.jobClass, 'rate_limited');
    assert.equal(past.level, 'fail');
    assert.equal(
      past.detail,
      `GET ${base}/503/301 answered 503 Service Unavailable: unavailable (Retry-After 301s, past its max_retry_after of 300s): its jobs fail as rate_limited while it answers so, not retried; resetting its breaker now (opsdeck breaker reset llm_api) sends the jobs it holds to the dead-letter queue`,
    );
  });

  it('equal to it is no past: a 429 waits it out, a 503 is a server error retried after it', async () => {
    const limited = await both('/429/300', 300);
    assert.deepEqual([limited.jobClass, limited.level], ['http_429', 'warn']);
    assert.match(limited.detail, /rate limited \(Retry-After 300s\): its jobs fail with http_429 while it answers so/);
    const unavailable = await both('/503/300', 300);
    assert.deepEqual([unavailable.jobClass, unavailable.level], ['http_503', 'fail']);
    assert.match(unavailable.detail, /the upstream still answers 503 \(Retry-After 300s\), a server error: its jobs fail with http_503/);
  });

  it('an HTTP date and a fractional max_retry_after are compared in milliseconds, never rounded to seconds', async () => {
    mock.timers.enable({ apis: ['Date'], now: NOW });
    const date = encodeURIComponent(IN_300S.replaceAll(' ', '_'));
    const within = await both(`/429/${date}`, 299.5);
    assert.deepEqual([within.jobClass, within.level], ['http_429', 'warn'], '299.4 s is within 299.5 s, though it rounds up to 300 s');
    const past = await both(`/503/${date}`, 299.3);
    assert.deepEqual([past.jobClass, past.level], ['rate_limited', 'fail']);
    assert.match(past.detail, /unavailable \(Retry-After 300s, past its max_retry_after of 299\.3s\): its jobs fail as rate_limited/);
  });
});
