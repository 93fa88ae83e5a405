import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { listenLocal } from '../runners/testing/listen.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

/** A local time as the CLI writes it: `2026-12-06 13:28:48+01:00`, or with a `Z` in UTC. */
const TIME = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)`;

describe('test-connectivity of a service whose jobs POST: what the store says of them beside the base URL that cannot tell', () => {
  let dir: string;
  let api: Server;
  let origin: string;
  let registry: string;
  const seen: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-connectivity-evidence-'));
    // The origin answers 200; the URL the jobs POST answers 503: only the jobs themselves meet it.
    api = createServer((req, res) => {
      seen.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers['user-agent'] ?? ''}`);
      if (req.url === '/api/v1/chat') return void res.writeHead(503).end('no healthy upstream');
      res.writeHead(200).end('ok');
    });
    origin = `http://127.0.0.1:${await listenLocal(api)}`;
    registry = join(dir, 'registry.yaml');
    await writeFile(
      registry,
      [
        'services:',
        '  - name: chat_api',
        '    execution_type: http',
        `    runner_config: { base_url: "${origin}/api", path: /v1/chat, method: POST }`,
        '    retry_config: { max_retries: 0 }',
        '    circuit_breaker: { failure_threshold: 1, minimum_volume: 1 }',
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    api.closeAllConnections();
    await new Promise<void>((resolve) => api.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('is INCONCLUSIVE (exit 1) with its breaker and failures; where no store is, it still tests the path and says the store was not read', async () => {
    const db = join(dir, 'opsdeck.db');
    const common = ['--db', db, '--registry', registry];
    const none = await opsdeck(['test-connectivity', 'chat_api', ...common]);
    assert.equal(none.code, 1, none.stderr);
    assert.match(none.stdout, /^chat_api\s+GET http:\/\/127\.0\.0\.1:\d+\/api \(the jobs' POST \/v1\/chat was not tried: it could do work upstream\)\s+INCONCLUSIVE\s+\(/m);
    assert.match(none.stdout, /^HTTP\s+INCONCLUSIVE\s+.* answered 200 OK, which says nothing of whether its jobs succeed: their POST \/v1\/chat was not tried \(it could do work upstream\)$/m);
    assert.match(none.stdout, new RegExp(`^evidence: its breaker and recent failures were not read: no store was read \\(there is no opsdeck store at ${db.replace(/[.]/g, '\\.')}: the file does not exist\\); the store --db names$`, 'm'));
    assert.doesNotMatch(none.stdout, /creates a new store/, 'a check has no use for a new store: it would hold no evidence');
    assert.equal(existsSync(db), false, 'a check makes no store');
    // Named by neither --db nor OPSDECK_DB, the store looked for is this user's default: perhaps not the workers'.
    const home = join(dir, 'data');
    const unnamed = await opsdeck(['test-connectivity', 'chat_api', '--registry', registry], { XDG_DATA_HOME: home });
    const fallback = join(home, 'opsdeck', 'opsdeck.db').replace(/[.]/g, '\\.');
    assert.match(
      unnamed.stdout,
      new RegExp(`^evidence: .*no store was read \\(there is no opsdeck store at ${fallback}: the file does not exist\\); neither --db nor OPSDECK_DB names a store, so the per-user default was looked for: name the workers' store to read theirs$`, 'm'),
    );

    ok(await opsdeck(['enqueue', 'chat_api', ...common]));
    ok(await opsdeck(['worker', '--until-empty', ...common]));
    const read = await opsdeck(['test-connectivity', 'chat_api', ...common]);
    assert.equal(read.code, 1, 'what the store says is for the operator to judge: the check still cannot tell');
    const failed = `HTTP 503 from POST ${origin}/api/v1/chat: no healthy upstream`.replace(/[.]/g, '\\.');
    assert.match(read.stdout, new RegExp(`^evidence: read from the store at ${db.replace(/[.]/g, '\\.')}\\n  breaker: open since ${TIME}; its last error: ${failed}\\n  1 failed attempt\\(s\\) of its jobs in the last 60m \\(since ${TIME}\\), 1 of them into the dead-letter queue:\\n  http_503: 1, the last at ${TIME}: ${failed}$`, 'm'));

    const json = await opsdeck(['test-connectivity', 'chat_api', ...common, '--json']);
    const [answer] = calls['runners.connectivity'].output.parse(JSON.parse(json.stdout)).services;
    assert.deepEqual([answer?.inconclusive, answer?.evidence?.read], [true, true]);
    assert.deepEqual(seen.filter((request) => request.includes('/v1/chat')).map((request) => request.replace(/\/[\d.]+$/, '')), ['POST /api/v1/chat opsdeck-runner'], 'only the job POSTed');
  });
});
