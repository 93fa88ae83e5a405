import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ApiResponse } from '../../shared/contract.ts';
import { consolePolicy } from '../console/csp.ts';
import { startServer } from './server.ts';
import type { RunningServer } from './server.ts';
import { rawRequest } from './testing/http.ts';

const SECRET = 'top-secret-outside-the-static-root';

/** A stand-in for the API dispatcher: answers by name, records what it was given. */
function fakeHost() {
  const calls: Array<{ name: string; input: unknown }> = [];
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const answers: Record<string, ApiResponse> = {
    'control.get': { ok: true, result: { emergency_stop: { engaged: false } } },
    'jobs.get': { ok: false, error: { code: 'not_found', message: 'no job 9' } },
    'jobs.retry': { ok: false, error: { code: 'conflict', message: 'job is running' } },
    'health.check': { ok: false, error: { code: 'unavailable', message: 'store unreachable' } },
    'audit.list': { ok: false, error: { code: 'internal', message: 'something failed' } },
    'jobs.enqueue': { ok: false, error: { code: 'invalid_input', message: 'bad', issues: [{ path: 'service', message: 'required' }] } },
  };
  return {
    calls,
    listeners,
    emit(event: string, payload: unknown) {
      for (const listener of listeners) listener(event, payload);
    },
    dispatch: async (name: string, input: unknown): Promise<ApiResponse> => {
      calls.push({ name, input });
      return answers[name] ?? { ok: true, result: { echo: input } };
    },
    subscribe: (listener: (event: string, payload: unknown) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function json(text: string): unknown {
  return JSON.parse(text);
}

/** The error of a failure envelope; fails the test on anything else. */
function errorOf(text: string): { code: string; message: string } {
  const response = ApiResponse.parse(JSON.parse(text));
  if (response.ok) assert.fail(`expected a failure, got ${text}`);
  return response.error;
}

function openSocket(port: number, headers: Record<string, string>, protocols: string[] = []): Promise<{ ws: WebSocket; messages: unknown[] }> {
  return new Promise((resolveOpen, rejectOpen) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/events`, protocols, { headers });
    const messages: unknown[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    ws.once('open', () => resolveOpen({ ws, messages }));
    ws.once('unexpected-response', (_req, res) => rejectOpen(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', rejectOpen);
  });
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('browser host', () => {
  let dir: string;
  let staticDir: string;
  let server: RunningServer;
  let host: ReturnType<typeof fakeHost>;
  let bearer: Record<string, string>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-server-'));
    staticDir = join(dir, 'renderer');
    await mkdir(join(staticDir, 'assets'), { recursive: true });
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>opsdeck</title>');
    await writeFile(join(staticDir, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(join(staticDir, 'assets', 'index-abc123.css'), 'body{}');
    await writeFile(join(staticDir, 'favicon.svg'), '<svg/>');
    await writeFile(join(dir, 'secret.txt'), SECRET);
    host = fakeHost();
    server = await startServer({ port: 0, staticDir, dispatch: host.dispatch, subscribe: host.subscribe, heartbeatMs: 50 });
    bearer = { authorization: `Bearer ${server.token}` };
  });

  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only and prints a tokened loopback URL', async () => {
    assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{43}$`));
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      await assert.rejects(
        new Promise((resolveConnect, rejectConnect) => {
          const socket = connect({ host: external.address, port: server.port });
          socket.once('connect', () => {
            socket.destroy();
            resolveConnect(undefined);
          });
          socket.once('error', rejectConnect);
        }),
        /ECONNREFUSED/,
      );
    }
  });

  it('refuses API calls without the token or with a wrong one (401)', async () => {
    const none = await rawRequest({ port: server.port, path: '/api/call/control.get', method: 'POST', body: '{}' });
    assert.equal(none.status, 401);
    assert.equal(errorOf(none.body).code, 'forbidden');
    const wrongBearer = await rawRequest({ port: server.port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: { authorization: 'Bearer nope' } });
    assert.equal(wrongBearer.status, 401);
    // A cookie is no credential: browsers send 127.0.0.1's cookies to every port on it.
    const cookie = await rawRequest({ port: server.port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: { cookie: `opsdeck_token=${server.token}` } });
    assert.equal(cookie.status, 401);
    assert.equal(host.calls.length, 0);
  });

  it('serves the page to anyone on 127.0.0.1, with ?token= or not, and sets no cookie: the page sends the token itself', async () => {
    for (const path of ['/', `/?token=${server.token}&x=1`, '/?token=wrong']) {
      const res = await rawRequest({ port: server.port, path });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['set-cookie'], undefined, path);
    }
  });

  it('refuses a foreign Origin or Host with 403, and accepts localhost', async () => {
    const evilOrigin = await rawRequest({ port: server.port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: { ...bearer, origin: 'http://evil.example' } });
    assert.equal(evilOrigin.status, 403);
    assert.equal(errorOf(evilOrigin.body).code, 'forbidden');
    const otherPort = await rawRequest({ port: server.port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: { ...bearer, origin: `http://127.0.0.1:${server.port + 1}` } });
    assert.equal(otherPort.status, 403);
    const nullOrigin = await rawRequest({ port: server.port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: { ...bearer, origin: 'null' } });
    assert.equal(nullOrigin.status, 403);
    const rebound = await rawRequest({ port: server.port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: { ...bearer, host: `evil.example:${server.port}` } });
    assert.equal(rebound.status, 403);
    const reboundPage = await rawRequest({ port: server.port, path: '/', headers: { host: 'evil.example' } });
    assert.equal(reboundPage.status, 403);
    const local = await rawRequest({
      port: server.port,
      path: '/api/call/control.get',
      method: 'POST',
      body: '{}',
      headers: { ...bearer, host: `localhost:${server.port}`, origin: `http://localhost:${server.port}` },
    });
    assert.equal(local.status, 200);
  });

  it('passes the parsed body to dispatch and maps error codes to HTTP statuses', async () => {
    const ok = await rawRequest({ port: server.port, path: '/api/call/jobs.list', method: 'POST', body: '{"limit":5}', headers: { ...bearer, 'content-type': 'application/json' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(json(ok.body), { ok: true, result: { echo: { limit: 5 } } });
    const empty = await rawRequest({ port: server.port, path: '/api/call/runners.list', method: 'POST', headers: bearer });
    assert.deepEqual(json(empty.body), { ok: true, result: { echo: {} } });
    const expected: Array<[string, number]> = [
      ['jobs.get', 404],
      ['jobs.retry', 409],
      ['health.check', 503],
      ['audit.list', 500],
      ['jobs.enqueue', 400],
    ];
    for (const [name, status] of expected) {
      const res = await rawRequest({ port: server.port, path: `/api/call/${name}`, method: 'POST', body: '{}', headers: bearer });
      assert.equal(res.status, status, name);
      assert.ok(errorOf(res.body).message);
    }
  });

  it('answers unknown calls with 404, wrong methods with 405, non-JSON bodies with 415', async () => {
    const before = host.calls.length;
    const unknown = await rawRequest({ port: server.port, path: '/api/call/nope.nothing', method: 'POST', body: '{}', headers: bearer });
    assert.equal(unknown.status, 404);
    assert.equal(errorOf(unknown.body).code, 'not_found');
    const proto = await rawRequest({ port: server.port, path: '/api/call/__proto__', method: 'POST', body: '{}', headers: bearer });
    assert.equal(proto.status, 404);
    const get = await rawRequest({ port: server.port, path: '/api/call/control.get', headers: bearer });
    assert.equal(get.status, 405);
    const form = await rawRequest({
      port: server.port,
      path: '/api/call/control.emergencyStop',
      method: 'POST',
      body: 'reason=x',
      headers: { ...bearer, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);
    const otherApi = await rawRequest({ port: server.port, path: '/api/other', headers: bearer });
    assert.equal(otherApi.status, 404);
    assert.equal(host.calls.length, before);
  });

  it('answers malformed JSON with 400 invalid_input', async () => {
    const res = await rawRequest({ port: server.port, path: '/api/call/jobs.list', method: 'POST', body: '{"limit":', headers: bearer });
    assert.equal(res.status, 400);
    const error = errorOf(res.body);
    assert.equal(error.code, 'invalid_input');
    assert.match(error.message, /not valid JSON/);
  });

  it('answers bodies over the limit with 413, declared or streamed', async () => {
    const big = 'x'.repeat(1024 * 1024 + 10);
    const declared = await rawRequest({ port: server.port, path: '/api/call/jobs.list', method: 'POST', body: JSON.stringify({ big }), headers: bearer });
    assert.equal(declared.status, 413);
    assert.equal(errorOf(declared.body).code, 'invalid_input');
    const streamed = await rawRequest({ port: server.port, path: '/api/call/jobs.list', method: 'POST', body: JSON.stringify({ big }), headers: bearer, chunked: true });
    assert.equal(streamed.status, 413);
    const after = await rawRequest({ port: server.port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: bearer });
    assert.equal(after.status, 200);
  });

  it('serves the renderer with content types, caching and security headers, and no CORS', async () => {
    const index = await rawRequest({ port: server.port, path: '/', headers: bearer });
    assert.equal(index.status, 200);
    assert.match(index.headers['content-type'] ?? '', /^text\/html/);
    assert.equal(index.headers['cache-control'], 'no-store');
    assert.equal(index.headers['content-security-policy'], consolePolicy({ eventSocketPort: server.port }));
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    assert.equal(index.headers['referrer-policy'], 'no-referrer');
    const js = await rawRequest({ port: server.port, path: '/assets/index-abc123.js', headers: bearer });
    assert.equal(js.status, 200);
    assert.match(js.headers['content-type'] ?? '', /^text\/javascript/);
    assert.match(js.headers['cache-control'] ?? '', /immutable/);
    const css = await rawRequest({ port: server.port, path: '/assets/index-abc123.css', headers: bearer });
    assert.match(css.headers['content-type'] ?? '', /^text\/css/);
    const svg = await rawRequest({ port: server.port, path: '/favicon.svg', headers: bearer });
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    // The console routes by the hash: another path is no page of it, and a health probe must not read 200.
    for (const path of ['/jobs/failed', '/status']) {
      const notPage = await rawRequest({ port: server.port, path, headers: bearer });
      assert.equal(notPage.status, 404, path);
      assert.match(notPage.body, new RegExp(`^Not found: ${path}\\. This host serves the console at / .*/healthz.*/v1`), path);
    }
    // The runbooks' /health is the REST API's /healthz under another name: here, with no REST API, neither is served.
    for (const path of ['/health', '/healthz']) assert.match((await rawRequest({ port: server.port, path, headers: bearer })).body, /no REST API on this host/, path);
    const missing = await rawRequest({ port: server.port, path: '/assets/missing.js', headers: bearer });
    assert.equal(missing.status, 404);
    const post = await rawRequest({ port: server.port, path: '/', method: 'POST', body: '{}', headers: bearer });
    assert.equal(post.status, 405);
    const api = await rawRequest({ port: server.port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: { ...bearer, origin: server.origin } });
    for (const res of [index, js, api]) {
      assert.deepEqual(Object.keys(res.headers).filter((h) => h.startsWith('access-control-')), []);
    }
  });

  it('never serves a file outside the static root', async () => {
    const attempts = [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/..%2Fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/%2e%2e%5c%2e%2e%5csecret.txt',
      '/....//secret.txt',
      `/${encodeURIComponent(join(dir, 'secret.txt'))}`,
      '//secret.txt',
      '/secret.txt%00.html',
      '/%',
    ];
    for (const path of attempts) {
      const res = await rawRequest({ port: server.port, path, headers: bearer });
      assert.ok(!res.body.includes(SECRET), `${path} leaked the file`);
      assert.ok([200, 404].includes(res.status), `${path} answered ${res.status}`);
      if (res.status === 200) assert.match(res.body, /<title>opsdeck/, path);
    }
  });

  it('a request target that is no URL at all is a 400, over HTTP and on the event socket, and the host goes on answering', async () => {
    const plain = await rawRequest({ port: server.port, path: '//[/', headers: bearer });
    assert.equal(plain.status, 400);
    const upgrade = await rawRequest({ port: server.port, path: '//[/', headers: { ...bearer, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    assert.equal(upgrade.status, 400);
    const after = await rawRequest({ port: server.port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: { ...bearer, 'content-type': 'application/json' } });
    assert.equal(after.status, 200);
  });

  it('refuses the event socket without a token or from a foreign origin', async () => {
    await assert.rejects(openSocket(server.port, {}), /HTTP 401/);
    await assert.rejects(openSocket(server.port, { cookie: `opsdeck_token=${server.token}` }), /HTTP 401/);
    await assert.rejects(openSocket(server.port, {}, ['opsdeck.v1', 'wrong']), /HTTP 401/);
    await assert.rejects(openSocket(server.port, { ...bearer, origin: 'http://evil.example' }), /HTTP 403/);
  });

  it('broadcasts events to every authorised socket and survives a misbehaving client', async () => {
    // As the console opens it: the token beside the subprotocol, which alone is answered.
    const a = await openSocket(server.port, { origin: server.origin }, ['opsdeck.v1', server.token]);
    assert.equal(a.ws.protocol, 'opsdeck.v1');
    const b = await openSocket(server.port, bearer);
    a.ws.send('garbage that is not json');
    a.ws.send(Buffer.alloc(10_000));
    host.emit('control.changed', { version: 2 });
    await waitFor(() => b.messages.length >= 1, 'the event on the second socket');
    assert.deepEqual(b.messages[0], { event: 'control.changed', payload: { version: 2 } });
    b.ws.close();
    host.emit('jobs.changed', { ids: [1] });
    const res = await rawRequest({ port: server.port, path: '/api/call/control.get', method: 'POST', body: '{}', headers: bearer });
    assert.equal(res.status, 200);
    a.ws.terminate();
  });

  it('drops a client that stops answering pings', async () => {
    const socket = connect({ host: '127.0.0.1', port: server.port });
    const closed = new Promise<void>((resolveClose) => socket.once('close', () => resolveClose()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolveConnect) => socket.once('connect', () => resolveConnect()));
    socket.write(
      [
        'GET /api/events HTTP/1.1',
        `Host: 127.0.0.1:${server.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        `Authorization: Bearer ${server.token}`,
        '',
        '',
      ].join('\r\n'),
    );
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
    });
    await closed;
    assert.match(head, /^HTTP\/1\.1 101/);
  });
});

describe('browser host lifecycle', () => {
  it('reports a taken port in words and closes cleanly', async () => {
    const host = fakeHost();
    const first = await startServer({ port: 0, staticDir: tmpdir(), dispatch: host.dispatch, subscribe: host.subscribe });
    await assert.rejects(
      startServer({ port: first.port, staticDir: tmpdir(), dispatch: host.dispatch, subscribe: host.subscribe }),
      /already in use/,
    );
    assert.equal(host.listeners.size, 1);
    await first.close();
    assert.equal(host.listeners.size, 0);
    await assert.rejects(rawRequest({ port: first.port, path: '/' }), /ECONNREFUSED/);
  });
});
