import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { createRuntime, type Runtime } from '../api/runtime.ts';
import { startTcpRelay } from '../engine/testing/tcpRelay.ts';
import { openPostgresStore } from '../store/postgres/open.ts';
import { createTestDatabase, withClient, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { rawRequest } from './testing/http.ts';
import { createRestHandler } from './handler.ts';
import { startRestServer, type RunningRestServer } from './server.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';

const registryPath = resolve(import.meta.dirname, '..', '..', 'examples', 'registry.yaml');

/**
 * The database goes away under a running REST host: an administrator closes it to connections and ends
 * the ones open, as during maintenance. A call with an API key (looked up in that same database) is the
 * documented 503, not an internal error, saying the kind of failure but not the database (the key could not
 * be proved), and the host answers again once it reopens.
 */
describe('REST API v1 when its PostgreSQL database goes away', () => {
  let db: TestDatabase;
  let runtime: Runtime;
  let server: RunningRestServer;
  let key = '';

  async function status(on = server): Promise<{ status: number; body: { error?: { code: string; message: string; action?: string } } }> {
    const res = await rawRequest({ port: on.port, path: '/v1/status', method: 'GET', headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: JSON.parse(res.body) as { error?: { code: string; message: string; action?: string } } };
  }

  before(async () => {
    db = await createTestDatabase({ migrated: true });
    runtime = await createRuntime({ words: CONSOLE_WORDS, db: db.url, registryPath, execute: false, env: { ...process.env, OPSDECK_REGISTRY: '' } });
    server = await startRestServer({ host: '127.0.0.1', port: 0, handler: createRestHandler({ context: () => runtime.ctx }) });
    const made = await dispatch('apiKeys.create', { name: 'monitor', scope: 'read' }, runtime.ctx);
    key = calls['apiKeys.create'].output.parse(made.ok ? made.result : null).secret;
  });

  after(async () => {
    await db.allowConnections(true).catch(() => undefined);
    await server?.close();
    await runtime?.close();
    await db?.drop();
  });

  it('answers 503 unavailable with the kind of failure, not the database an unproved caller may not learn, and answers again once it reopens', { timeout: 30_000 }, async () => {
    assert.equal((await status()).status, 200);
    await db.allowConnections(false);
    const closed = await status();
    assert.equal(closed.status, 503, JSON.stringify(closed.body));
    assert.equal(closed.body.error?.code, 'unavailable');
    assert.match(closed.body.error?.message ?? '', /^the postgres store does not answer: /);
    assert.doesNotMatch(closed.body.error?.message ?? '', new RegExp(db.name));
    await db.allowConnections(true);
    const deadline = Date.now() + 10_000;
    let again = await status();
    while (again.status !== 200 && Date.now() < deadline) again = await status();
    assert.equal(again.status, 200, JSON.stringify(again.body));
  });

  // As after an upgrade whose migration was not run on this database, or a restore that left the schema out:
  // waiting will not help, so the body says what to do, as the console's calls do.
  it("answers 503 with the action when the database lacks opsdeck's schema, whether the store fails the key's lookup or the call", { timeout: 30_000 }, async () => {
    const signedIn = await startRestServer({ host: '127.0.0.1', port: 0, handler: createRestHandler({ context: () => runtime.ctx, isSession: () => true }) });
    const renameSchema = (from: string, to: string) => withClient(db.url, (c) => c.query(`ALTER SCHEMA ${from} RENAME TO ${to}`));
    await renameSchema('jobs', 'jobs_away');
    try {
      for (const [who, on] of [['an API key, looked up in the store', server], ['the launch token, straight to the call', signedIn]] as const) {
        const missing = await status(on);
        assert.equal(missing.status, 503, `${who}: ${JSON.stringify(missing.body)}`);
        assert.equal(missing.body.error?.code, 'unavailable', who);
        // The key's lookup failed before it was proved: the failure's kind, not the database it names.
        assert.match(missing.body.error?.message ?? '', on === server ? /store does not answer: / : /lacks opsdeck's schema/, who);
        if (on === server) assert.doesNotMatch(missing.body.error?.message ?? '', new RegExp(db.name), who);
        assert.equal(missing.body.error?.action, 'stop the workers and run opsdeck migrate with this --db (see Upgrading in the README)', who);
      }
    } finally {
      await renameSchema('jobs_away', 'jobs');
      await signedIn.close();
    }
    assert.equal((await status()).status, 200);
  });

  // The drill's emergency stop during an outage answered only the store's error, and the stop was off after
  // recovery: the answer says the change was NOT made, and the request to send again.
  it('a control request the store does not take says the change was NOT made and to send it again, for an unchecked key as for the session', { timeout: 60_000 }, async () => {
    const signedIn = await startRestServer({ host: '127.0.0.1', port: 0, handler: createRestHandler({ context: () => runtime.ctx, isSession: () => true }) });
    const post = async (on: RunningRestServer, path: string, body: unknown) => {
      const res = await rawRequest({ port: on.port, path, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, error: z.object({ error: z.object({ code: z.string(), message: z.string() }) }).parse(JSON.parse(res.body)).error };
    };
    await db.allowConnections(false);
    try {
      const unchecked = await post(server, '/v1/control/emergency-stop', { reason: 'drill' });
      assert.equal(unchecked.status, 503);
      assert.equal(unchecked.error.code, 'unavailable');
      assert.match(unchecked.error.message, /^emergency stop NOT engaged: the store does not answer \(the postgres store does not answer: .*\), so nothing was stopped, .*Once the store answers, send POST \/v1\/control\/emergency-stop again\. Meanwhile a worker that cannot reach the store/);
      assert.doesNotMatch(unchecked.error.message, new RegExp(db.name), 'a key not checked is not told the database');
      const safe = await post(server, '/v1/control/safe-mode', { enabled: true, drain: 60 });
      assert.match(safe.error.message, /^safe mode NOT turned on: .*send POST \/v1\/control\/safe-mode again\./);
      const session = await post(signedIn, '/v1/control/queues/emails/unpause', {});
      assert.equal(session.status, 503);
      assert.match(session.error.message, new RegExp(`^queue emails NOT unpaused: the store does not answer \\(database "${db.name}" .*not accepting connections.*\\), so nothing changed: if it was paused, it still is\\. Once the store answers, send POST /v1/control/queues/emails/unpause again\\.$`));
    } finally {
      await db.allowConnections(true);
      await signedIn.close();
    }
    const control = await rawRequest({ port: server.port, path: '/v1/control', headers: { authorization: `Bearer ${key}` } });
    assert.equal(z.object({ emergency_stop: z.object({ engaged: z.boolean() }) }).parse(JSON.parse(control.body)).emergency_stop.engaged, false, 'nothing was engaged');
  });

  // The three surfaces give one report during an outage: the console's (a session), the CLI's, and an API
  // key's, which cannot be checked in the store that is down, so it is told nothing of this host.
  it('GET /v1/health answers in the report shape during the outage: every check for the session, the store alone for an unchecked key', { timeout: 60_000 }, async () => {
    const Report = z.object({ ok: z.boolean(), checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })) });
    const signedIn = await startRestServer({ host: '127.0.0.1', port: 0, handler: createRestHandler({ context: () => runtime.ctx, isSession: () => true }) });
    const health = async (on: RunningRestServer, path = '/v1/health') => {
      const res = await rawRequest({ port: on.port, path, method: 'GET', headers: { authorization: `Bearer ${key}` } });
      return { status: res.status, body: res.body };
    };
    await db.allowConnections(false);
    try {
      const session = await health(signedIn);
      assert.equal(session.status, 503, session.body);
      const full = Report.parse(JSON.parse(session.body));
      assert.match(full.checks[0]?.detail ?? '', new RegExp(`database "${db.name}"`));
      assert.ok(full.checks.some((c) => c.name === 'registry' && c.ok && /service\(s\) from/.test(c.detail)), 'the registry check is made');
      const unchecked = await health(server);
      assert.equal(unchecked.status, 503, unchecked.body);
      const withheld = Report.parse(JSON.parse(unchecked.body));
      assert.deepEqual(withheld.checks.map((c) => c.name), full.checks.map((c) => c.name), 'the same checks, by name');
      // The store's failure as every request not yet signed in is told it: its kind, never the database.
      assert.match(withheld.checks[0]?.detail ?? '', /^the postgres store does not answer: /);
      assert.doesNotMatch(unchecked.body, new RegExp(db.name));
      assert.ok(withheld.checks.slice(1).every((c) => !c.ok && /the API key could not be checked while the store does not answer/.test(c.detail)), 'nothing of the host to a key not checked');
      assert.doesNotMatch(unchecked.body, /registry\.yaml/);
      const one = await health(server, '/v1/health/scheduler');
      assert.equal(one.status, 503);
      assert.deepEqual(Report.parse(JSON.parse(one.body)).checks.map((c) => c.name), ['scheduler']);
      assert.equal((await health(server, '/v1/health/nothing')).status, 404);
      // A worker or the integrity check is not known to be missing while no worker can be read: the outage, not a typo.
      for (const [on, check] of [[server, 'worker:WATCHDOG'], [server, 'integrity'], [signedIn, 'worker:WATCHDOG']] as const) {
        const named = await health(on, `/v1/health/${check}`);
        assert.equal(named.status, 503, named.body);
        const [only, ...more] = Report.parse(JSON.parse(named.body)).checks;
        assert.equal(more.length, 0, named.body);
        assert.equal(only?.name, check);
        assert.match(only?.detail ?? '', /^cannot tell: /);
      }
    } finally {
      await db.allowConnections(true);
      await signedIn.close();
    }
  });

  it('answers 503 within its bound when the connections it holds die without a word, and works again on new ones', { timeout: 30_000 }, async () => {
    const relay = await startTcpRelay(db.url);
    const stranded = await openPostgresStore(relay.url, { migrate: false, readAnswerMs: 800, engineAnswerMs: 800 });
    const roaming = await startRestServer({ host: '127.0.0.1', port: 0, handler: createRestHandler({ context: () => ({ ...runtime.ctx, store: stranded }) }) });
    try {
      assert.equal((await status(roaming)).status, 200);
      // The laptop changed networks: the pooled connections stay open and nothing comes back on them.
      relay.strandOpenConnections();
      const cut = await status(roaming);
      assert.equal(cut.status, 503, JSON.stringify(cut.body));
      assert.match(cut.body.error?.message ?? '', /store does not answer: it is unavailable \(that passes by itself\)/);
      const deadline = Date.now() + 10_000;
      let again = await status(roaming);
      while (again.status !== 200 && Date.now() < deadline) again = await status(roaming);
      assert.equal(again.status, 200, JSON.stringify(again.body));
    } finally {
      await roaming.close();
      await stranded.close();
      await relay.close();
    }
  });
});
