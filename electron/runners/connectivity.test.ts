import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import pkg from '../../package.json' with { type: 'json' };
import { probeConnectivity, probeTimeout, type ServiceCall } from './connectivity.ts';
import { HttpRunner } from './http.ts';
import { listenLocal } from './testing/listen.ts';
import { runRequest, service } from './testing/request.ts';

/** A service's jobs as the command line reads an answer against them: no credential, max_retry_after 300 s. */
function jobs(service: string, method: string, path: string): ServiceCall {
  return { method, path, sendsCredential: false, validateToken: `opsdeck validate-token ${service}`, resetBreaker: `opsdeck breaker reset ${service}`, maxRetryAfterS: 300 };
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

  it("GETs the URL the jobs GET, and only the base URL of jobs that POST: never their path, which may do its work whatever the method", async () => {
    const seen: string[] = [];
    let deployed = 0;
    // /api/deploy does its work for any method, as Go's http.HandleFunc or a plain Node handler does: a HEAD or
    // a GET of it deploys as the jobs' POST does.
    const api = createServer((req, res) => {
      seen.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers['user-agent'] ?? ''}`);
      if (req.url === '/api/deploy') {
        deployed += 1;
        return void res.writeHead(200).end('deployed');
      }
      if (req.url === '/api/v1/models') return void res.writeHead(200).end('[]');
      res.writeHead(404).end('no such route');
    });
    const origin = `http://127.0.0.1:${await listenLocal(api)}`;
    const agent = `opsdeck-probe/${pkg.version}`;
    try {
      const deploy = await probeConnectivity(`${origin}/api`, 2000, jobs('deploy_hook', 'POST', '/deploy'));
      assert.deepEqual([deploy.url, deploy.method, deploy.jobs_call], [`${origin}/api`, 'GET', "the jobs' POST /deploy was not tried: it could do work upstream"]);
      const models = await probeConnectivity(`${origin}/api`, 2000, jobs('models', 'GET', '/v1/models'));
      assert.deepEqual([models.url, models.method, models.jobs_call], [`${origin}/api/v1/models`, 'GET', null]);
      assert.equal(models.steps.at(-1)?.detail, `GET ${origin}/api/v1/models answered 200 OK`);
      const refusedPath = await probeConnectivity(`${origin}/api`, 2000, jobs('typo_api', 'POST', 'v1/chat'));
      assert.deepEqual([refusedPath.url, refusedPath.method, refusedPath.jobs_call], [`${origin}/api`, 'GET', "the jobs' POST is refused before it is sent: path must start with a single '/': 'v1/chat'"]);
      assert.equal(deployed, 0, 'testing the path to a service never runs what its jobs do');
      assert.deepEqual(seen, [`GET /api ${agent}`, `GET /api/v1/models ${agent}`, `GET /api ${agent}`], 'a GET named as a check, of their URL only when they GET it');
    } finally {
      await close(api);
    }
  });

  it("quotes a service's path without its query in every field, whatever its jobs' method; their own GET still sends it", async () => {
    const received: string[] = [];
    const hook = createServer((req, res) => {
      received.push(req.url ?? '');
      res.writeHead(200).end('ok');
    });
    const origin = `http://127.0.0.1:${await listenLocal(hook)}`;
    try {
      const posted = await probeConnectivity(`${origin}/api`, 2000, jobs('hook_api', 'POST', '/hook?token=SECRET123'));
      assert.equal(posted.jobs_call, "the jobs' POST /hook was not tried: it could do work upstream");
      const got = await probeConnectivity(`${origin}/api`, 2000, jobs('hook_reader', 'GET', '/hook?token=SECRET123'));
      assert.deepEqual([got.url, got.steps.at(-1)?.detail], [`${origin}/api/hook`, `GET ${origin}/api/hook answered 200 OK`], 'as GET services were shown before');
      const refused = await probeConnectivity(`${origin}/api`, 2000, jobs('typo_hook', 'POST', 'hook?token=SECRET123'));
      assert.equal(refused.jobs_call, "the jobs' POST is refused before it is sent: path must start with a single '/': 'hook'");
      for (const answer of [posted, got, refused]) assert.ok(!JSON.stringify(answer).includes('SECRET123'), JSON.stringify(answer));
      assert.deepEqual(received, ['/api', '/api/hook?token=SECRET123', '/api'], 'the jobs\' own GET is sent as they send it');

      const job = await new HttpRunner().run(runRequest(service({ execution_type: 'http', runner_config: { base_url: `${origin}/api`, path: 'hook?token=SECRET123', method: 'POST' } })));
      assert.deepEqual([job.error?.error_class, job.error?.message], ['payload', "path must start with a single '/': 'hook'"], "the job's kept error quotes it so too");
    } finally {
      await close(hook);
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
