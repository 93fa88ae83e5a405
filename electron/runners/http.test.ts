import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { HttpRunner } from './http.ts';
import { listenLocal } from './testing/listen.ts';
import { runRequest, service } from './testing/request.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const seen: Seen[] = [];
let base = '';
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const url = new URL(req.url ?? '/', 'http://x');
    const status = /^\/status\/(\d+)$/.exec(url.pathname);
    if (status?.[1]) {
      res.writeHead(Number(status[1]), { 'content-type': 'text/plain' }).end(`upstream said ${status[1]}\nmore`);
    } else if (url.pathname === '/retry-after') {
      res.writeHead(Number(url.searchParams.get('code') ?? 429), { 'retry-after': url.searchParams.get('value') ?? '1' }).end('slow down');
    } else if (url.pathname === '/echo') {
      // A careless upstream: its 401 page quotes the request's credential back.
      res.writeHead(401, { 'content-type': 'text/plain' }).end(`invalid credentials: ${req.headers.authorization ?? 'none'}`);
    } else if (url.pathname === '/slow') {
      // Never answers: the client's timeout or abort must end the request.
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, path: url.pathname }));
    }
  });
});

before(async () => {
  base = `http://127.0.0.1:${await listenLocal(server)}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const runner = new HttpRunner();
function httpService(extra: Record<string, unknown> = {}) {
  return service({ execution_type: 'http', runner_config: { base_url: base, path: '/ok', ...extra } });
}

test('a 2xx completes, with status and body excerpt recorded and Idempotency-Key sent', async () => {
  seen.length = 0;
  const result = await runner.run(runRequest(httpService(), { identifier: 'sync-2026-01-01', payload: { body: { a: 1 }, query: { page: 2 } } }));
  assert.equal(result.ok, true, JSON.stringify(result.error));
  assert.equal(result.resource_usage.http_status, 200);
  assert.match(result.output_tail, /^HTTP 200\n\{"ok":true/);
  const req = seen[0];
  assert.ok(req);
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/ok?page=2');
  assert.equal(req.headers['idempotency-key'], 'sync-2026-01-01');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.body, '{"a":1}');
});

test('payload.path overrides the configured path but may not leave the origin', async () => {
  seen.length = 0;
  const ok = await runner.run(runRequest(httpService(), { payload: { path: '/other' } }));
  assert.equal(ok.ok, true);
  assert.equal(seen[0]?.url, '/other');
  const bad = await runner.run(runRequest(httpService(), { payload: { path: '//evil.example.com/x' } }));
  assert.equal(bad.error?.error_class, 'payload');
  assert.equal(bad.error?.retryable, false);
});

test('5xx, 408 and 429 are retryable; other 4xx are not', async () => {
  for (const [code, retryable] of [[500, true], [503, true], [408, true], [429, true], [404, false], [400, false], [401, false]] as const) {
    const result = await runner.run(runRequest(httpService({ path: `/status/${code}` })));
    assert.equal(result.ok, false);
    assert.equal(result.error?.error_class, `http_${code}`);
    assert.equal(result.error?.retryable, retryable, String(code));
    assert.equal(result.resource_usage.http_status, code);
  }
  const r = await runner.run(runRequest(httpService({ path: '/status/503' })));
  assert.equal(r.error?.message, `HTTP 503 from POST ${base}/status/503: upstream said 503`);
});

test('Retry-After in seconds and as an HTTP date becomes retry_after_ms', async () => {
  const secs = await runner.run(runRequest(httpService({ path: '/retry-after?code=429&value=7' })));
  assert.equal(secs.error?.retryable, true);
  assert.equal(secs.error?.retry_after_ms, 7000);
  const date = new Date(Date.now() + 60_000).toUTCString();
  const dated = await runner.run(runRequest(httpService({ path: `/retry-after?code=503&value=${encodeURIComponent(date)}` })));
  assert.equal(dated.error?.error_class, 'http_503');
  const ms = dated.error?.retry_after_ms ?? -1;
  assert.ok(ms > 50_000 && ms <= 60_000, String(ms));
});

test('a Retry-After beyond max_retry_after fails as rate_limited, naming when it may run again', async () => {
  const result = await runner.run(runRequest(httpService({ path: '/retry-after?code=429&value=3600', max_retry_after: 300 })));
  assert.equal(result.error?.error_class, 'rate_limited');
  assert.equal(result.error?.retryable, false);
  assert.match(result.error?.message ?? '', /may run again after \d{4}-\d\d-\d\dT/);
  assert.match(result.error?.message ?? '', /exceeds max_retry_after 300s/);
});

test('a connection refused is retryable', async () => {
  const closed = http.createServer();
  const port = await listenLocal(closed);
  await new Promise((resolve) => closed.close(resolve));
  const svc = service({ execution_type: 'http', runner_config: { base_url: `http://127.0.0.1:${port}` } });
  const result = await runner.run(runRequest(svc));
  assert.equal(result.error?.error_class, 'connection');
  assert.equal(result.error?.retryable, true);
  assert.match(result.error?.message ?? '', /: connection refused \(ECONNREFUSED\)$/);
});

test('a connection reset by the server says so in the words a runbook searches for, beside its code', async () => {
  const resetting = http.createServer((req) => req.socket.resetAndDestroy());
  const port = await listenLocal(resetting);
  try {
    const svc = service({ execution_type: 'http', runner_config: { base_url: `http://127.0.0.1:${port}` } });
    const result = await runner.run(runRequest(svc));
    assert.equal(result.error?.error_class, 'connection');
    assert.equal(result.error?.retryable, true);
    assert.match(result.error?.message ?? '', /^connection failed calling POST http:\/\/127\.0\.0\.1:\d+\/: connection reset by peer \(ECONNRESET\)$/);
  } finally {
    await new Promise((resolve) => resetting.close(resolve));
  }
});

test('a read timeout on POST is not retryable unless the service is idempotent; GET is', async () => {
  const post = await runner.run(runRequest(httpService({ path: '/slow' }), { timeoutSeconds: 0.3 }));
  assert.equal(post.aborted, 'timeout');
  assert.equal(post.error?.error_class, 'timeout');
  assert.equal(post.error?.retryable, false);
  assert.match(post.error?.message ?? '', /may have been applied/);
  const idem = await runner.run(runRequest(httpService({ path: '/slow', idempotent: true }), { timeoutSeconds: 0.3 }));
  assert.equal(idem.error?.retryable, true);
  const get = await runner.run(runRequest(httpService({ path: '/slow', method: 'GET' }), { timeoutSeconds: 0.3 }));
  assert.equal(get.error?.retryable, true);
});

test("a timeout names the method and URL it called, as a connection failure does, without the query that may hold a secret", async () => {
  const get = await runner.run(runRequest(httpService({ path: '/slow', method: 'GET' }), { timeoutSeconds: 0.3, payload: { query: { api_key: 'sk-live-9f8e7d' } } }));
  assert.equal(get.error?.error_class, 'timeout');
  assert.equal(get.error?.message, `timed out after 0.3s calling GET ${base}/slow`);
  const idem = await runner.run(runRequest(httpService({ path: '/slow', idempotent: true }), { timeoutSeconds: 0.3 }));
  assert.equal(idem.error?.message, `timed out after 0.3s calling POST ${base}/slow`);
});

test('bearer and basic auth come from the named variables', async () => {
  seen.length = 0;
  const bearer = httpService({ auth_type: 'bearer', auth_config: { token_env_var: 'API_TOKEN' } });
  assert.equal((await runner.run(runRequest(bearer, { env: { API_TOKEN: 'tok-123' } }))).ok, true);
  assert.equal(seen[0]?.headers.authorization, 'Bearer tok-123');
  const basic = httpService({ auth_type: 'basic', auth_config: { username_env_var: 'U', password_env_var: 'P' } });
  assert.equal((await runner.run(runRequest(basic, { env: { U: 'ann', P: 'pw' } }))).ok, true);
  assert.equal(seen[1]?.headers.authorization, `Basic ${Buffer.from('ann:pw').toString('base64')}`);
});

test('a credential an upstream echoes back is cut from the stored error and output tail', async () => {
  const bearer = httpService({ path: '/echo', auth_type: 'bearer', auth_config: { token_env_var: 'API_TOKEN' } });
  const token = 'tok-3f9a1c77e2b0';
  const result = await runner.run(runRequest(bearer, { env: { API_TOKEN: token } }));
  assert.equal(result.error?.error_class, 'http_401');
  assert.match(result.output_tail, /invalid credentials: \[redacted\]/);
  assert.ok(!result.output_tail.includes(token) && !(result.error?.message ?? '').includes(token), 'the token is nowhere in what is stored');

  const basic = httpService({ path: '/echo', auth_type: 'basic', auth_config: { username_env_var: 'U', password_env_var: 'P' } });
  const password = 'hunter2-correct-horse';
  const encoded = Buffer.from(`ann:${password}`).toString('base64');
  const basicResult = await runner.run(runRequest(basic, { env: { U: 'ann', P: password } }));
  assert.ok(!basicResult.output_tail.includes(encoded) && !basicResult.output_tail.includes(password));
  assert.match(basicResult.output_tail, /invalid credentials: \[redacted\]/);
});

test('a missing token variable is a config error naming the variable, and nothing is sent', async () => {
  seen.length = 0;
  const svc = httpService({ auth_type: 'bearer', auth_config: { token_env_var: 'API_TOKEN' } });
  const result = await runner.run(runRequest(svc, { env: { OTHER: 'x' } }));
  assert.equal(result.error?.error_class, 'config');
  assert.equal(result.error?.retryable, false);
  assert.equal(result.error?.message, 'environment variable API_TOKEN is not set on this worker: set it where the workers run, then restart them');
  assert.equal(seen.length, 0);
});

test('an abort ends the request with the reason it was given', async () => {
  const controller = new AbortController();
  const running = runner.run(runRequest(httpService({ path: '/slow' }), { signal: controller.signal }));
  setTimeout(() => controller.abort('interrupt'), 100);
  const result = await running;
  assert.equal(result.aborted, 'interrupt');
  assert.equal(result.error?.error_class, 'interrupted');
  const cancelled = new AbortController();
  cancelled.abort('cancel');
  const r2 = await runner.run(runRequest(httpService({ path: '/slow' }), { signal: cancelled.signal }));
  assert.equal(r2.aborted, 'cancel');
});

test('the probe says whether base URLs answer, naming the services that call one that does not, and how many of them that is', async () => {
  assert.equal((await runner.probe([httpService()])).ok, true);
  const down = service({ name: 'down_api', execution_type: 'http', runner_config: { base_url: 'http://127.0.0.1:9' } });
  const probe = await runner.probe([down]);
  assert.equal(probe.ok, false);
  assert.match(probe.detail, /^1 of 1 service\(s\) not answering: down_api at http:\/\/127\.0\.0\.1:9 \(/);
  const up = (name: string) => ({ ...httpService(), name });
  const some = await runner.probe([down, up('a'), up('b'), up('c')]);
  assert.equal(some.ok, false);
  assert.match(some.detail, /^1 of 4 service\(s\) not answering: down_api at http:\/\/127\.0\.0\.1:9 \(/);
});

test('an origin answering with a server error is a warning naming its services and the status: their jobs fail on it', async () => {
  const unavailable = http.createServer((_req, res) => res.writeHead(503).end('down for maintenance'));
  const origin = `http://127.0.0.1:${await listenLocal(unavailable)}`;
  try {
    const failing = service({ name: 'fail_api', execution_type: 'http', runner_config: { base_url: `${origin}/v1` } });
    const also = service({ name: 'fail_too', execution_type: 'http', runner_config: { base_url: `${origin}/v2` } });
    const probe = await runner.probe([httpService(), failing, also]);
    assert.deepEqual(probe, {
      ok: true,
      warning: true,
      detail: `2 endpoint(s) answering; fail_api, fail_too at ${origin} answers HTTP 503: a server error, which its jobs fail on while it answers so`,
    });
  } finally {
    unavailable.closeAllConnections();
    await new Promise((resolve) => unavailable.close(resolve));
  }
});
