import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { probeConnectivity, probeTimeout } from './connectivity.ts';
import { HttpRunner } from './http.ts';
import { listenLocal } from './testing/listen.ts';
import { runRequest, service } from './testing/request.ts';

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
      if (req.url?.startsWith('/v1/unavailable')) return void res.writeHead(503).end('down for maintenance');
      if (req.url?.startsWith('/v1/private')) return void res.writeHead(401).end('who are you');
      res.writeHead(200).end('ok');
    });
    base = `http://127.0.0.1:${await listenLocal(upstream)}/v1`;
  });
  after(() => close(upstream));

  it("waits the service's own timeout, not a fixed 5 s, and names the path it called", async () => {
    const started = performance.now();
    const { url, steps } = await probeConnectivity(base, 1000, { method: 'GET', path: '/hang', service: 'slow_api', sendsCredential: false, validateToken: 'opsdeck validate-token slow_api' });
    const took = performance.now() - started;
    assert.equal(url, `${base}/hang`);
    const http = steps.find((s) => s.step === 'http');
    assert.equal(http?.ok, false);
    assert.equal(http?.detail, `GET ${base}/hang: no answer within 1s`);
    assert.ok(took < 3000, `the probe gave up after ${Math.round(took)} ms, not at its 1 s timeout`);
  });

  it('says a dropped connection in the words the job itself uses', async () => {
    const { steps } = await probeConnectivity(base, 2000, { method: 'GET', path: '/drop', service: 'drop_api', sendsCredential: false, validateToken: 'opsdeck validate-token drop_api' });
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

  it('an answer its jobs fail on passes with a warning that names the status: a server error, a refusal of jobs that send no credential', async () => {
    const http = async (path: string, sendsCredential: boolean) =>
      (await probeConnectivity(base, 2000, { method: 'GET', path, service: 'fail_api', sendsCredential, validateToken: 'opsdeck validate-token fail_api' })).steps.find((s) => s.step === 'http');
    const unavailable = await http('/unavailable', false);
    assert.deepEqual([unavailable?.ok, unavailable?.warning], [true, true]);
    assert.equal(unavailable?.detail, `GET ${base}/unavailable answered 503 Service Unavailable: a server error: its jobs fail with http_503 while it answers so`);
    const refused = await http('/private', false);
    assert.equal(refused?.warning, true);
    assert.equal(refused?.detail, `GET ${base}/private answered 401 Unauthorized: a refusal, and its jobs send no credential (auth_type none): they are refused too`);
    const withCredential = await http('/private', true);
    assert.equal(withCredential?.warning, undefined, 'its jobs send a credential the probe does not');
    assert.equal(withCredential?.detail, `GET ${base}/private answered 401 Unauthorized without a credential (a probe sends none; opsdeck validate-token fail_api tries the one its jobs send)`);
    assert.equal((await http('/fine', false))?.warning, undefined);
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
