import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { probeConnectivity, probeTimeout, type ServiceCall } from './connectivity.ts';
import { HttpRunner } from './http.ts';
import { listenLocal } from './testing/listen.ts';
import { runRequest, service } from './testing/request.ts';

/** A service's jobs as the command line reads an answer against them: no credential, max_retry_after 300 s. */
function jobs(service: string, method: string, path: string): ServiceCall {
  return { service, method, path, sendsCredential: false, validateToken: `opsdeck validate-token ${service}`, resetBreaker: `opsdeck breaker reset ${service}`, maxRetryAfterS: 300 };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('test-connectivity against a real upstream that hangs or drops the connection', () => {
  let upstream: Server;
  let base: string;

  before(async () => {
    upstream = createServer((req, res) => {
      // /hang never answers; /drop closes the connection without a word, as a crashing upstream does.
      if (req.url?.startsWith('/v1/hang')) return;
      if (req.url?.startsWith('/v1/drop')) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200).end('ok');
    });
    base = `http://127.0.0.1:${await listenLocal(upstream)}/v1`;
  });
  after(() => close(upstream));

  it("waits the service's own timeout, not a fixed 5 s, and names the path it called", async () => {
    const started = performance.now();
    const { url, steps } = await probeConnectivity(base, 1000, jobs('slow_api', 'GET', '/hang'));
    const took = performance.now() - started;
    assert.equal(url, `${base}/hang`);
    const http = steps.find((s) => s.step === 'http');
    assert.equal(http?.ok, false);
    assert.equal(http?.detail, `GET ${base}/hang: no answer within 1s`);
    assert.ok(took < 3000, `the probe gave up after ${Math.round(took)} ms, not at its 1 s timeout`);
  });

  it('says a dropped connection in the words the job itself uses', async () => {
    const { steps } = await probeConnectivity(base, 2000, jobs('drop_api', 'GET', '/drop'));
    const http = steps.find((s) => s.step === 'http');
    assert.equal(http?.detail, `GET ${base}/drop: the server closed the connection (UND_ERR_SOCKET)`);

    const job = await new HttpRunner().run(runRequest(service({ execution_type: 'http', runner_config: { base_url: base, path: '/drop', method: 'GET' } })));
    assert.equal(job.error?.message, `connection failed calling GET ${base}/drop: the server closed the connection (UND_ERR_SOCKET)`);
  });

  it('a refused connection reads as the job reads it, beside the address', async () => {
    const gone = createServer();
    const port = await listenLocal(gone);
    await close(gone);
    const { steps } = await probeConnectivity(`http://127.0.0.1:${port}`, 2000);
    assert.deepEqual(
      steps.map((s) => [s.step, s.ok, s.detail]),
      [
        ['dns', true, '127.0.0.1 → 127.0.0.1'],
        ['tcp', false, `127.0.0.1:${port}: connection refused (ECONNREFUSED)`],
      ],
    );
  });

  it("asks the URL the jobs call, with a HEAD where they POST, and says an answer to that HEAD is not theirs", async () => {
    const seen: string[] = [];
    // The origin is no resource (404 on /), the jobs' path is: only asking theirs tells the two apart.
    const api = createServer((req, res) => {
      seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
      if (req.url === '/api/v1/chat') return void res.writeHead(req.method === 'POST' || req.method === 'HEAD' ? 200 : 405).end();
      if (req.url === '/api/v1/post-only') return void res.writeHead(req.method === 'POST' ? 200 : 405, { allow: 'POST' }).end();
      res.writeHead(404).end('no such route');
    });
    const origin = `http://127.0.0.1:${await listenLocal(api)}`;
    try {
      const chat = await probeConnectivity(`${origin}/api`, 2000, jobs('chat_api', 'POST', '/v1/chat'));
      assert.deepEqual([chat.url, chat.method, chat.jobs_call], [`${origin}/api/v1/chat`, 'HEAD', 'the jobs POST it']);
      assert.equal(chat.steps.at(-1)?.detail, `HEAD ${origin}/api/v1/chat answered 200 OK`);
      const postOnly = await probeConnectivity(`${origin}/api`, 2000, jobs('post_api', 'POST', '/v1/post-only'));
      assert.deepEqual(
        [postOnly.steps.at(-1)?.ok, postOnly.steps.at(-1)?.warning, postOnly.steps.at(-1)?.detail],
        [true, undefined, `HEAD ${origin}/api/v1/post-only answered 405 Method Not Allowed, which says nothing of the jobs' own call (the jobs POST it)`],
      );
      const refusedPath = await probeConnectivity(`${origin}/api`, 2000, jobs('typo_api', 'POST', 'v1/chat'));
      assert.deepEqual([refusedPath.url, refusedPath.method, refusedPath.jobs_call], [`${origin}/api`, 'GET', "the jobs' POST is refused before it is sent: path must start with a single '/': 'v1/chat'"]);
      assert.deepEqual(seen, ['HEAD /api/v1/chat', 'HEAD /api/v1/post-only', 'GET /api'], 'never the jobs\' POST, never the origin in place of their path');
    } finally {
      await close(api);
    }
  });

  it('never shows a query or a password of the URL it was given', async () => {
    const { url, steps } = await probeConnectivity(`${base}?api_key=sk-live-9f8e7d`, 2000);
    assert.equal(url, base);
    assert.ok(!JSON.stringify(steps).includes('sk-live-9f8e7d'));
  });
});

describe('probeTimeout', () => {
  it("is the service's timeout, capped, and says which it was", () => {
    assert.deepEqual(probeTimeout(2), { seconds: 2, from: "the service's" });
    assert.deepEqual(probeTimeout(300), { seconds: 10, from: "the service's is 300s; a probe waits at most 10s" });
    assert.deepEqual(probeTimeout(null), { seconds: 5, from: 'the default for a URL' });
  });
});
