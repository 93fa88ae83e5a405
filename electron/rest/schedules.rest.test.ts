import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { createRuntime, type Runtime } from '../api/runtime.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import { rawRequest } from './testing/http.ts';
import { createRestHandler } from './handler.ts';
import { startRestServer, type RunningRestServer } from './server.ts';
import { FailureThrottle } from './throttle.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';

const registryPath = resolve(import.meta.dirname, '..', '..', 'examples', 'registry.yaml');

/** The schedules' endpoints over real HTTP, on each dialect: the same calls the console and the CLI make. */
function suite(dialect: string, location: () => Promise<{ db: string; cleanup(): Promise<void> }>): void {
  describe(`REST schedules on ${dialect}`, () => {
    let runtime: Runtime;
    let server: RunningRestServer;
    let cleanup: () => Promise<void>;
    let db = '';
    let readKey = '';
    let operateKey = '';

    before(async () => {
      const where = await location();
      cleanup = where.cleanup;
      db = where.db;
      runtime = await createRuntime({ words: CONSOLE_WORDS, db: where.db, registryPath, execute: false, env: { ...process.env, OPSDECK_REGISTRY: '' } });
      server = await startRestServer({ host: '127.0.0.1', port: 0, handler: createRestHandler({ context: () => runtime.ctx, throttle: new FailureThrottle({ freeFailures: 3 }) }) });
      const make = async (name: string, scope: 'read' | 'operate') => {
        const res = await dispatch('apiKeys.create', { name, scope }, runtime.ctx);
        return calls['apiKeys.create'].output.parse(res.ok ? res.result : null).secret;
      };
      readKey = await make('monitor', 'read');
      operateKey = await make('ci-bot', 'operate');
    });

    after(async () => {
      await server?.close();
      await runtime?.close();
      await cleanup?.();
    });

    async function call(method: string, path: string, key: string, body?: unknown) {
      const headers: Record<string, string> = { authorization: `Bearer ${key}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await rawRequest({ port: server.port, path, method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, json: JSON.parse(res.body) };
    }

    it('add, list, get, pause, resume, run, fires and remove; read keys only read', async () => {
      const body = { name: 'rest_nightly', service: 'healthy_noop', cron: '30 2 * * *', timezone: 'America/New_York' };
      assert.equal((await call('POST', '/v1/schedules', readKey, body)).status, 403, 'a read key cannot add');
      const added = await call('POST', '/v1/schedules', operateKey, body);
      assert.equal(added.status, 201);
      assert.equal(added.json.next_fires.length, 3);
      const bad = await call('POST', '/v1/schedules', operateKey, { ...body, name: 'x', cron: '* * 32 * *' });
      assert.equal(bad.status, 422);
      assert.equal((await call('POST', '/v1/schedules', operateKey, body)).status, 409);

      const list = await call('GET', '/v1/schedules', readKey);
      assert.equal(list.status, 200);
      assert.deepEqual(list.json.schedules.map((s: { name: string }) => s.name), ['rest_nightly']);
      assert.equal((await call('GET', '/v1/schedules/rest_nightly', readKey)).json.config.timezone, 'America/New_York');
      assert.equal((await call('GET', '/v1/schedules/nope', readKey)).status, 404);

      assert.equal((await call('POST', '/v1/schedules/rest_nightly/pause', operateKey, { reason: 'freeze' })).json.paused, true);
      assert.equal((await call('POST', '/v1/schedules/rest_nightly/resume', operateKey, {})).json.paused, false);
      const run = await call('POST', '/v1/schedules/rest_nightly/run', operateKey, {});
      assert.equal(run.status, 200);
      assert.equal(run.json.trigger, 'manual');
      const fires = await call('GET', '/v1/schedules/rest_nightly/fires?limit=5', readKey);
      assert.deepEqual(fires.json.fires.map((f: { job_id: number }) => f.job_id), [run.json.job_id]);
      assert.equal((await call('POST', '/v1/schedules/rest_nightly/remove', operateKey, {})).status, 200);
      assert.equal((await call('GET', '/v1/schedules/rest_nightly', readKey)).status, 404);
    });

    it('two operators pausing, then resuming, one schedule at once from two processes: one is told it changed, the other that nothing did', async () => {
      const other = await createRuntime({ words: CONSOLE_WORDS, db, registryPath, execute: false, env: { ...process.env, OPSDECK_REGISTRY: '' } });
      try {
        assert.ok((await dispatch('schedules.add', { name: 'contested', service: 'healthy_noop', cron: '30 2 * * *' }, runtime.ctx)).ok);
        const both = async (name: 'schedules.pause' | 'schedules.resume') => {
          const answers = await Promise.all([dispatch(name, { name: 'contested' }, runtime.ctx), dispatch(name, { name: 'contested' }, other.ctx)]);
          return answers.map((a) => calls[name].output.parse(a.ok ? a.result : a.error));
        };
        const paused = await both('schedules.pause');
        assert.deepEqual(paused.map((p) => p.changed).sort(), [false, true]);
        assert.match(paused.find((p) => !p.changed)?.note ?? '', /^contested is already paused \(by .+\): nothing to pause$/);
        const resumed = await both('schedules.resume');
        assert.deepEqual(resumed.map((r) => r.changed).sort(), [false, true]);
        assert.equal(resumed.find((r) => !r.changed)?.note, 'contested is not paused: nothing to resume');
        const audit = await runtime.ctx.store.listAudit({ search: 'contested' }, { limit: 10 });
        assert.deepEqual(audit.items.map((a) => a.action).reverse(), ['schedule.add', 'schedule.pause', 'schedule.resume']);
        assert.ok((await dispatch('schedules.remove', { name: 'contested' }, runtime.ctx)).ok);
      } finally {
        await other.close();
      }
    });

    it('a workflow schedule: POST names the workflow, its run-now starts a run, and the fire shows the run', async () => {
      const body = { name: 'rest_etl', workflow: 'nightly_report', cron: '@daily', payload: { day: 'yesterday' } };
      const unknown = await call('POST', '/v1/schedules', operateKey, { ...body, workflow: 'nope' });
      assert.equal(unknown.status, 404);
      assert.match(unknown.json.error.message, /workflow nope is not in the registry \(known: nightly_report\)/);
      assert.equal((await call('POST', '/v1/schedules', operateKey, body)).status, 201);
      const run = await call('POST', '/v1/schedules/rest_etl/run', operateKey, {});
      assert.equal(run.status, 200);
      assert.equal(run.json.job_id, null);
      assert.equal(typeof run.json.run_id, 'number');
      const shown = await call('GET', '/v1/schedules/rest_etl', readKey);
      assert.deepEqual([shown.json.config.workflow, shown.json.last_fire.run_id, shown.json.last_fire.run_status], ['nightly_report', run.json.run_id, 'running']);
      const runs = await dispatch('workflows.show', { run: run.json.run_id }, runtime.ctx);
      assert.ok(runs.ok);
      assert.deepEqual(calls['workflows.show'].output.parse(runs.result).run.payload, { day: 'yesterday' });
      assert.equal((await call('POST', '/v1/schedules/rest_etl/remove', operateKey, {})).status, 200);
    });
  });
}

suite('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-schedules-'));
  return { db: join(dir, 'o.db'), cleanup: () => rm(dir, { recursive: true, force: true }) };
});
suite('PostgreSQL', async () => {
  const db = await createTestDatabase({ migrated: true });
  return { db: db.url, cleanup: () => db.drop() };
});
