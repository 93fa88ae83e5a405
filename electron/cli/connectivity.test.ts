import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listenLocal } from '../runners/testing/listen.ts';
import { opsdeck } from './testing/opsdeck.ts';

/** A self-signed certificate for 127.0.0.1, made for these tests only (openssl req -x509, 100 years). */
const CERT_PATH = fileURLToPath(new URL('../runners/testing/localhost-test.crt', import.meta.url));
const KEY_PATH = fileURLToPath(new URL('../runners/testing/localhost-test.key', import.meta.url));
const GOOD_TOKEN = 'tok-good-3f9a1c';
const BAD_TOKEN = 'tok-revoked-77e2b0';

/** A step's time as the console writes it (shared durationText): 3 ms, 1.25 s, 12.3 s, 2m 5s. */
const TOOK = String.raw`(?:\d+ ms|\d+\.\d\d? s|\d+m \d+s)`;

/** `re` with TOOK standing for a step's time. */
function took(re: RegExp): RegExp {
  return new RegExp(re.source.replace('TOOK', TOOK), re.flags);
}

function close(server: { close(cb: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('test-connectivity and validate-token against real local servers', { concurrency: 2 }, () => {
  let dir: string;
  let common: string[];
  let apiPort: number;
  let api: Server;
  let secure: ReturnType<typeof createTlsServer>;
  const seen: Array<{ method: string; url: string; authorization: string | undefined }> = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-connectivity-'));
    api = createServer((req, res) => {
      // /v1/hang never answers: the upstream the runbook's jobs time out on.
      if (req.url?.startsWith('/v1/hang')) return;
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
      // /open checks no credential: it answers alike with a good one, a bad one or none.
      const authorized = req.url?.startsWith('/open') === true || req.headers.authorization === `Bearer ${GOOD_TOKEN}`;
      res.writeHead(authorized ? 200 : 401, { 'content-type': 'application/json' }).end(authorized ? '{"ok":true}' : '{"error":"invalid token"}');
    });
    apiPort = await listenLocal(api);
    secure = createTlsServer({ cert: readFileSync(CERT_PATH), key: readFileSync(KEY_PATH) }, (_req, res) => res.writeHead(204).end());
    const securePort = await listenLocal(secure);
    // A port that was free a moment ago and is closed now: nothing listens there.
    const probe = createTcpServer();
    const closedPort = await listenLocal(probe);
    await close(probe);
    const registry = join(dir, 'registry.yaml');
    await writeFile(
      registry,
      [
        'services:',
        '  - name: payments-api',
        '    execution_type: http',
        `    runner_config: { base_url: "http://127.0.0.1:${apiPort}/v1", path: /charges, method: POST, auth_type: bearer, auth_config: { token_env_var: API_TOKEN } }`,
        '  - name: ledger',
        '    execution_type: http',
        `    runner_config: { base_url: "https://127.0.0.1:${securePort}", method: GET }`,
        '  - name: gone',
        '    execution_type: http',
        `    runner_config: { base_url: "http://127.0.0.1:${closedPort}" }`,
        '  - name: nightly',
        '    execution_type: noop',
        '  - name: open-door',
        '    execution_type: http',
        `    runner_config: { base_url: "http://127.0.0.1:${apiPort}/open", path: /submit, auth_type: bearer, auth_config: { token_env_var: API_TOKEN } }`,
        '  - name: hanging',
        '    execution_type: http',
        `    runner_config: { base_url: "http://127.0.0.1:${apiPort}/v1", path: /hang, method: GET, timeout: 1 }`,
        '  - name: status-reader',
        '    execution_type: http',
        `    runner_config: { base_url: "http://127.0.0.1:${apiPort}/v1", path: /status, method: GET, auth_type: bearer, auth_config: { token_env_var: API_TOKEN } }`,
        '',
      ].join('\n'),
    );
    common = ['--db', join(dir, 'opsdeck.db'), '--registry', registry];
  });

  after(async () => {
    api.closeAllConnections();
    await Promise.all([close(api), close(secure)]);
    await rm(dir, { recursive: true, force: true });
  });

  it('walks DNS, TCP and HTTP with timings; a closed port stops at TCP; exit 1 when any fails', async () => {
    const up = await opsdeck(['test-connectivity', 'payments-api', ...common]);
    assert.equal(up.code, 1, 'a check that cannot tell is no pass: a script resetting the breaker on exit 0 must not reset it');
    assert.match(up.stdout, /^payments-api\s+GET http:\/\/127\.0\.0\.1:\d+\/v1 \(the jobs' POST \/charges was not tried: it could do work upstream\)\s+INCONCLUSIVE\s+\(timeout 10s: the service's is 300s; a probe waits at most 10s\)$/m);
    assert.match(up.stdout, took(/^DNS\s+ok\s+TOOK\s+127\.0\.0\.1 → 127\.0\.0\.1$/m));
    assert.match(up.stdout, took(/^TCP\s+ok\s+TOOK/m));
    assert.match(up.stdout, took(/^HTTP\s+INCONCLUSIVE\s+TOOK\s+GET http:\/\/127\.0\.0\.1:\d+\/v1 answered 401 Unauthorized, which says nothing of whether its jobs succeed: their POST \/charges was not tried \(it could do work upstream\)$/m));
    assert.ok(seen.every((r) => r.method === 'GET' && r.url === '/v1' && r.authorization === undefined), "a probe GETs the base URL of jobs that POST, never their path, and sends no credential");

    const down = await opsdeck(['test-connectivity', '--service', 'gone', ...common]);
    assert.equal(down.code, 1);
    assert.match(down.stdout, took(/^TCP\s+FAILED\s+TOOK\s+127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)$/m), 'in the words the jobs use');
    assert.doesNotMatch(down.stdout, /^HTTP/m, 'nothing past the layer that failed');

    const all = await opsdeck(['test-connectivity', ...common, '--json']);
    assert.equal(all.code, 1, 'one service failing fails the whole run');
    const parsed: unknown = JSON.parse(all.stdout);
    assert.ok(typeof parsed === 'object' && parsed !== null && 'services' in parsed && Array.isArray(parsed.services));
    assert.deepEqual(parsed.services.map((s: { service: string }) => s.service), ['payments-api', 'ledger', 'gone', 'open-door', 'hanging', 'status-reader'], 'every HTTP service, and only those');
    assert.ok(parsed.services.every((s: { steps: Array<{ ms: unknown }> }) => s.steps.every((step) => typeof step.ms === 'number')), "--json keeps each step's time a number of milliseconds");

    const reader = await opsdeck(['test-connectivity', 'status-reader', ...common]);
    assert.equal(reader.code, 0, reader.stderr);
    assert.match(reader.stdout, took(/^HTTP\s+ok\s+TOOK\s+GET http:\/\/127\.0\.0\.1:\d+\/v1\/status answered 401 Unauthorized without a credential \(a probe sends none; opsdeck validate-token status-reader tries the one its jobs send\)$/m), "a service whose jobs GET is probed at its own path");

    const url = await opsdeck(['test-connectivity', '--url', `http://127.0.0.1:${apiPort}/health`, ...common]);
    assert.equal(url.code, 0, url.stderr);
    assert.match(url.stdout, /^url\s+GET http:\/\/127\.0\.0\.1:\d+\/health\s+ok\s+\(timeout 5s: the default for a URL\)$/m);
  });

  it('an upstream answering 503 to everything fails, saying what resetting its breaker would do; one answering 429 to a GET of the base URL of jobs that POST says so, with its Retry-After, and cannot tell', async () => {
    const unavailable = createServer((_req, res) => res.writeHead(503).end('down for maintenance'));
    const failPort = await listenLocal(unavailable);
    const limited = createServer((_req, res) => res.writeHead(429, { 'retry-after': '30' }).end('slow down'));
    const limitedPort = await listenLocal(limited);
    const probe = createTcpServer();
    const closedPort = await listenLocal(probe);
    await close(probe);
    const registry = join(dir, 'failing.yaml');
    const service = (name: string, port: number) => [`  - name: ${name}`, '    execution_type: http', `    runner_config: { base_url: "http://127.0.0.1:${port}", path: /work, method: POST }`];
    await writeFile(registry, ['services:', ...service('fail_api', failPort), ...service('down_api', closedPort), ''].join('\n'));
    const rateLimited = join(dir, 'rate-limited.yaml');
    await writeFile(rateLimited, ['services:', ...service('llm_api', limitedPort), ''].join('\n'));
    const onlyFailing = join(dir, 'only-failing.yaml');
    await writeFile(onlyFailing, ['services:', ...service('fail_api', failPort), ''].join('\n'));
    const db = ['--db', join(dir, 'opsdeck.db')];
    try {
      const failed = await opsdeck(['test-connectivity', 'fail_api', ...db, '--registry', registry]);
      assert.equal(failed.code, 1, 'a script that resets the breaker once this passes must not reset it now');
      assert.match(failed.stdout, /^fail_api\s+GET http:\/\/127\.0\.0\.1:\d+\/ \(the jobs' POST \/work was not tried: it could do work upstream\)\s+FAILING\s+\(/m);
      assert.match(
        failed.stdout,
        took(/^HTTP\s+FAILED\s+TOOK\s+GET http:\/\/127\.0\.0\.1:\d+\/ answered 503 Service Unavailable: the upstream still answers 503 at its base_url, a server error: its jobs fail with http_503 while it answers so; resetting its breaker now \(opsdeck breaker reset fail_api\) sends the jobs it holds into the same failure$/m),
      );
      const warned = await opsdeck(['test-connectivity', 'llm_api', ...db, '--registry', rateLimited]);
      assert.equal(warned.code, 1, "their POST was not tried: a script that resets the breaker on exit 0 must not take a 429 of the base URL for a pass");
      assert.match(warned.stdout, /^llm_api\s+GET http:\/\/127\.0\.0\.1:\d+\/ \(the jobs' POST \/work was not tried: it could do work upstream\)\s+INCONCLUSIVE\s+\(/m);
      assert.match(warned.stdout, took(/^HTTP\s+INCONCLUSIVE\s+TOOK\s+GET http:\/\/127\.0\.0\.1:\d+\/ answered 429 Too Many Requests: rate limited at its base_url \(Retry-After 30s\): its jobs fail with http_429 while it answers so, .*; resetting its breaker now \(opsdeck breaker reset llm_api\) sends the jobs it holds into the same limit$/m));

      const both = await opsdeck(['health-check', 'runner:http', ...db, '--registry', registry]);
      assert.equal(both.code, 1);
      assert.match(both.stdout, new RegExp(`^runner:http\\s+FAIL\\s+1 of 2 service\\(s\\) not answering: down_api at http://127\\.0\\.0\\.1:${closedPort} \\(ECONNREFUSED\\); fail_api at http://127\\.0\\.0\\.1:${failPort} answers HTTP 503: a server error, which its jobs fail on while it answers so$`, 'm'));
      const one = await opsdeck(['health-check', 'runner:http', ...db, '--registry', onlyFailing]);
      assert.equal(one.code, 0, 'a warning, not an outage');
      assert.match(one.stdout, /^runner:http\s+WARN\s+1 endpoint\(s\) answering; fail_api at http:\/\/127\.0\.0\.1:\d+ answers HTTP 503: a server error/m);
      assert.match(one.stdout, /^healthy \(1 warning\(s\)\)$/m);
    } finally {
      unavailable.closeAllConnections();
      limited.closeAllConnections();
      await Promise.all([close(unavailable), close(limited)]);
    }
  });

  it("an upstream that hangs fails at the service's own timeout, naming the path it called and the timeout it used", async () => {
    const hang = await opsdeck(['test-connectivity', 'hanging', ...common]);
    assert.equal(hang.code, 1);
    assert.match(hang.stdout, /^hanging\s+GET http:\/\/127\.0\.0\.1:\d+\/v1\/hang\s+FAILING\s+\(timeout 1s: the service's\)$/m);
    assert.match(hang.stdout, /^HTTP\s+FAILED\s+[12]\.\d\d s\s+GET http:\/\/127\.0\.0\.1:\d+\/v1\/hang: no answer within 1s$/m);
    assert.doesNotMatch(hang.stdout, /aborted due to timeout/, 'the wait said, not the abort');
  });

  it('TLS: a certificate nobody vouches for fails at TLS; trusted, the handshake and the GET pass', async () => {
    const untrusted = await opsdeck(['test-connectivity', 'ledger', ...common]);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stdout, took(/^TLS\s+FAILED\s+TOOK\s+.*self[- ]signed/im));
    const trusted = await opsdeck(['test-connectivity', 'ledger', ...common], { NODE_EXTRA_CA_CERTS: CERT_PATH });
    assert.equal(trusted.code, 0, trusted.stdout + trusted.stderr);
    assert.match(trusted.stdout, took(/^TLS\s+ok\s+TOOK\s+TLSv1\.3, certificate valid for 127\.0\.0\.1$/m));
    assert.match(trusted.stdout, /^HTTP\s+ok .* answered 204/m);
  });

  it('validate-token: accepted, refused, or the variable not set, naming the variable and never its value', async () => {
    const accepted = await opsdeck(['validate-token', '--service', 'payments-api', ...common], { API_TOKEN: GOOD_TOKEN });
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stdout, /^variables: API_TOKEN set$/m);
    assert.match(accepted.stdout, /\/v1 accepted the credential from API_TOKEN, as set in this command's process \(HTTP 200; HTTP 401 without it\)/);

    const refused = await opsdeck(['validate-token', 'payments-api', ...common], { API_TOKEN: BAD_TOKEN });
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /refused the credential from API_TOKEN, as set in this command's process \(HTTP 401\): renew it/);

    const unset = await opsdeck(['validate-token', 'payments-api', ...common], { API_TOKEN: undefined });
    assert.equal(unset.code, 1);
    // Whose environment lacks it, once: the workers' may well have it.
    assert.equal(
      unset.stdout.trim(),
      "this check runs in this command's process, which lacks API_TOKEN, so it cannot test the token the workers use: run opsdeck validate-token payments-api where a worker runs, with its environment",
    );

    const reader = await opsdeck(['validate-token', 'status-reader', ...common], { API_TOKEN: GOOD_TOKEN });
    assert.equal(reader.code, 0, reader.stdout);
    assert.match(reader.stdout, /\/v1\/status accepted the credential from API_TOKEN, as set in this command's process \(HTTP 200; HTTP 401 without it\)/);

    const open = await opsdeck(['validate-token', 'open-door', ...common], { API_TOKEN: BAD_TOKEN });
    assert.equal(open.code, 1, 'a URL that checks no credential approves nothing');
    assert.match(open.stdout, /cannot tell: http:\/\/127\.0\.0\.1:\d+\/open answers HTTP 200 with the credential from API_TOKEN and HTTP 200 without one, so it checks no credential; the jobs' POST \/submit was not tried \(it could do work\): run one job to see/);

    for (const run of [accepted, refused, unset, reader, open]) {
      assert.ok(!run.stdout.includes(GOOD_TOKEN) && !run.stdout.includes(BAD_TOKEN) && !run.stderr.includes(BAD_TOKEN), 'no token value printed');
    }
    assert.ok(seen.some((r) => r.authorization === `Bearer ${GOOD_TOKEN}` && r.method === 'GET' && r.url === '/v1'), 'the check is a GET of the base_url, with the credential');
  });

  it('refuses what it cannot test: a service that is not HTTP, an unknown one, none named', async () => {
    const shell = await opsdeck(['validate-token', 'nightly', ...common]);
    assert.equal(shell.code, 2, 'naming a service that is not HTTP is a wrong argument');
    assert.match(shell.stderr, /nightly is a noop service: only HTTP services have a base_url and a credential to test/);
    const unknown = await opsdeck(['test-connectivity', 'stripe', ...common]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /service stripe is not in the registry \(known: payments-api, ledger, gone, nightly, open-door, hanging, status-reader\)/);
    assert.equal((await opsdeck(['validate-token', ...common])).code, 2);
    assert.equal((await opsdeck(['test-connectivity', 'ledger', '--url', 'http://127.0.0.1:1', ...common])).code, 2);
    const ftp = await opsdeck(['test-connectivity', '--url', 'ftp://example.com', ...common]);
    assert.equal(ftp.code, 2);
    assert.match(ftp.stderr, /--url: only an http:\/\/ or https:\/\/ URL can be tested, not ftp:/);
    const bare = await opsdeck(['test-connectivity', '--url', 'api.example.com', ...common]);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /--url: not a URL: write it whole, with its scheme, such as https:\/\/api\.example\.com/);
  });
});
