import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { generateKey } from '../api/apiKeys.ts';
import { locationWithoutPasswords } from '../store/location.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const REGISTRY = [
  'services:',
  '  - name: billing',
  '    execution_type: noop',
  '  - name: payments',
  '    execution_type: noop',
  'workflows:',
  '  - name: nightly',
  '    tasks:',
  '      - name: charge',
  '        service: billing',
  '        payload: { password: task-secret, amount: 3 }',
  '',
].join('\n');

/** What a job is given, with secrets under secret names at two depths, and what is not secret beside them. */
const PAYLOAD = { order: 'A-17', card: '4111111111111111', password: 'hunter2', body: { api_key: 'sk_live_abc', callback: 'https://u:pw-in-url@hooks.example/x' }, args: ['--verbose'] };
const SEEN_BY_READ_KEY = { order: 'A-17', card: '4111111111111111', password: '[redacted]', body: { api_key: '[redacted]', callback: 'https://u:[redacted]@hooks.example/x' }, args: ['--verbose'] };
const SECRETS = ['hunter2', 'sk_live_abc', 'pw-in-url', 'task-secret', 'run-secret', 'schedule-secret'];

/** Every REST route a dashboard reads a payload from, as one walk of a store holding each kind. */
const PAYLOAD_ROUTES = ['/v1/executions', '/v1/executions/1', '/v1/executions/pay-1', '/v1/dlq', '/v1/workflow-runs', '/v1/workflow-runs/1', '/v1/schedules', '/v1/schedules/hourly-billing', '/v1/audit'];

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`REST API v1 on ${dialect}: what a read key sees, and what an operate key does`, () => {
    let dir = '';
    let registryPath = '';
    let database: TestDatabase | null = null;
    let rest: RestFixture;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'opsdeck-readkeys-'));
      registryPath = join(dir, 'registry.yaml');
      await writeFile(registryPath, REGISTRY);
      if (dialect === 'postgres') database = await createTestDatabase({ migrated: true });
      rest = await startRestFixture(registryPath, { PATH: process.env.PATH }, database?.url);
      const { store } = rest.runtime.ctx;
      // Job 1 ran once and went to the dead-letter queue, its payload.args repeated where it ran.
      const enqueued = await rest.call('POST', '/v1/executions', rest.operateKey, { service: 'billing', identifier: 'pay-1', payload: PAYLOAD });
      assert.equal(enqueued.status, 201, enqueued.text);
      const [claimed] = await store.claim({ workerId: 'w:1', limit: 1, leaseMs: 60_000 });
      assert.ok(claimed);
      const security_context = { runner: 'shell', payload_args: ['--verbose'], token: 'hunter2' };
      const error = { message: 'exited with code 1', error_class: 'exit_code', fingerprint: 'f1' };
      await store.settle([{ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w:1', kind: 'failed', outcome: 'failed', error, security_context }]);
      assert.equal((await rest.call('POST', '/v1/workflows/nightly/runs', rest.operateKey, { payload: { api_key: 'run-secret', customer: 'acme' } })).status, 201);
      const schedule = { name: 'hourly-billing', service: 'billing', cron: '0 * * * *', payload: { secret: 'schedule-secret', n: 1 } };
      assert.equal((await rest.call('POST', '/v1/schedules', rest.operateKey, schedule)).status, 201);
      // A worker running two jobs when it was killed: it beats no more.
      await store.registerWorker({ id: 'killed:9', host: 'node-a', pid: 9, version: 'test', concurrency: 4, queues: null });
      await store.heartbeat('killed:9', { inFlight: 2, state: 'running' });
    });

    after(async () => {
      await rest?.close();
      await database?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("gives a read key every payload with the values of secret-named keys [redacted], and an operate key the payload as given", async () => {
      for (const path of PAYLOAD_ROUTES) {
        const read = await rest.call('GET', path, rest.readKey);
        assert.equal(read.status, 200, `${path}: ${read.text}`);
        for (const secret of SECRETS) assert.ok(!read.text.includes(secret), `${path} shows ${secret} to a read key: ${read.text}`);
      }
      const job = calls['jobs.get'].output.parse((await rest.call('GET', '/v1/executions/pay-1', rest.readKey)).json).job;
      assert.deepEqual(job.payload, SEEN_BY_READ_KEY);
      assert.deepEqual(job.security_context, { runner: 'shell', payload_args: ['--verbose'], token: '[redacted]' }, "the arguments it ran with, as its payload's");
      const listed = calls['jobs.list'].output.parse((await rest.call('GET', '/v1/executions?service=billing&status=failed', rest.readKey)).json).jobs;
      assert.deepEqual(listed.map((j) => j.payload), [SEEN_BY_READ_KEY]);
      const dead = calls['dlq.list'].output.parse((await rest.call('GET', '/v1/dlq', rest.readKey)).json).jobs;
      assert.deepEqual(dead.map((j) => j.payload), [SEEN_BY_READ_KEY]);
      const run = calls['workflows.show'].output.parse((await rest.call('GET', '/v1/workflow-runs/1', rest.readKey)).json);
      assert.deepEqual(run.run.payload, { api_key: '[redacted]', customer: 'acme' });
      const scheduled = calls['schedules.get'].output.parse((await rest.call('GET', '/v1/schedules/hourly-billing', rest.readKey)).json);
      assert.deepEqual(scheduled.config.payload, { secret: '[redacted]', n: 1 });

      const whole = calls['jobs.get'].output.parse((await rest.call('GET', '/v1/executions/pay-1', rest.operateKey)).json).job;
      assert.deepEqual(whole.payload, PAYLOAD);
      assert.equal(whole.security_context?.token, 'hunter2');
      for (const path of ['/v1/workflow-runs/1', '/v1/schedules/hourly-billing', '/v1/executions?limit=10']) {
        const text = (await rest.call('GET', path, rest.operateKey)).text;
        assert.ok(['run-secret', 'schedule-secret', 'task-secret', 'hunter2'].some((s) => text.includes(s)), `${path} is whole for an operate key`);
      }
    });

    it("tells a read key how the store and the registry are, never where they are or as whom; an operate key where too", async () => {
      const location = rest.runtime.ctx.store.location;
      // A worker stopped cleanly, which ran this registry file: its check says how to start it again.
      const { store: workers } = rest.runtime.ctx;
      await workers.registerWorker({ id: 'sentinel-1', name: 'sentinel', host: 'node-c', pid: 3, version: 'test', concurrency: 2, queues: null, registry: { digest: 'd', path: registryPath, loaded_at: new Date().toISOString() } });
      assert.equal(await workers.heartbeat('sentinel-1', { inFlight: 0, state: 'stopped' }), true);
      for (const path of ['/v1/health', '/v1/health/store', '/v1/health/database', '/v1/health/registry', '/v1/health/worker:sentinel', '/v1/workers']) {
        const read = await rest.call('GET', path, rest.readKey);
        for (const hidden of [location, registryPath, dir, ...(database ? [database.name, '127.0.0.1', 'postgres@'] : [])]) {
          assert.ok(!read.text.includes(hidden), `${path} shows ${hidden} to a read key: ${read.text}`);
        }
      }
      const store = (key: string) => rest.call('GET', '/v1/health/store', key).then((r) => calls['health.check'].output.parse(r.json).checks[0]?.detail ?? '');
      const registry = (key: string) => rest.call('GET', '/v1/health/registry', key).then((r) => calls['health.check'].output.parse(r.json).checks[0]?.detail ?? '');
      if (dialect === 'sqlite') assert.equal(await store(rest.readKey), 'sqlite store answers');
      else assert.match(await store(rest.readKey), /^postgres store answers; this process's own pool: \d+ of \d+ connections in use, \d+ callers? waiting; \d+ of \d+ connections (to the server in use \(max_connections\)|to its database in use|of its role in use)/);
      assert.equal(await registry(rest.readKey), '2 service(s) from the registry file');
      assert.ok((await store(rest.operateKey)).startsWith(`${dialect} at ${location}`));
      assert.equal(await registry(rest.operateKey), `2 service(s) from ${registryPath}`);
      const restart = (key: string) => rest.call('GET', '/v1/health/worker:sentinel', key).then((r) => calls['health.check'].output.parse(r.json).checks[0]?.detail ?? '');
      assert.match(await restart(rest.readKey), / with opsdeck worker --name=sentinel --concurrency=2, adding --db for this store and --registry for the registry file it ran \(their paths need an operate key\)$/);
      assert.ok((await restart(rest.operateKey)).endsWith(` --concurrency=2 --db=${locationWithoutPasswords(location)} --registry=${registryPath}`));
      const registryOf = (key: string) => rest.call('GET', '/v1/workers', key).then((r) => calls['workers.list'].output.parse(r.json).workers.find((w) => w.id === 'sentinel-1')?.registry?.path);
      assert.deepEqual([await registryOf(rest.readKey), await registryOf(rest.operateKey)], ['[redacted]', registryPath]);
    });

    it("hides from a read key's audit log where a registry was loaded from, and shows an operate key", async () => {
      assert.ok((await dispatch('registry.load', { path: registryPath }, rest.runtime.ctx)).ok);
      const loads = async (key: string) => {
        const res = await rest.call('GET', '/v1/audit?action=registry.load', key);
        return calls['audit.list'].output.parse(res.json).entries.map((e) => e.target);
      };
      assert.deepEqual(await loads(rest.readKey), ['[redacted]']);
      assert.deepEqual(await loads(rest.operateKey), [registryPath]);
      // A file that could not be read names its path in its problem: hidden with the target.
      const missing = join(dir, 'gone.yaml');
      assert.equal((await dispatch('registry.load', { path: missing }, rest.runtime.ctx)).ok, false);
      const refused = async (key: string) => calls['audit.list'].output.parse((await rest.call('GET', '/v1/audit?action=registry.load_refused', key)).json).entries[0];
      const read = await refused(rest.readKey);
      assert.deepEqual([read?.target, read?.details?.first_problems], ['[redacted]', '[redacted]']);
      assert.ok(!JSON.stringify(read).includes(dir), JSON.stringify(read));
      assert.equal((await refused(rest.operateKey))?.target, missing);
    });

    it('answers GET /v1/breakers/{service} with its row of the list, and a typo with the service meant', async () => {
      const list = calls['breakers.list'].output.parse((await rest.call('GET', '/v1/breakers', rest.readKey)).json).breakers;
      for (const key of [rest.readKey, rest.operateKey]) {
        const one = await rest.call('GET', '/v1/breakers/payments', key);
        assert.equal(one.status, 200, one.text);
        assert.deepEqual(calls['breakers.get'].output.parse(one.json), list.find((b) => b.service_name === 'payments'));
      }
      const typo = await rest.call('GET', '/v1/breakers/paymnts', rest.readKey);
      assert.equal(typo.status, 404);
      assert.deepEqual(typo.json, { error: { code: 'not_found', message: 'service paymnts is not in the registry and has no breaker (did you mean payments? known: billing, payments)' } });
    });

    it("shows a lost worker as lost, its jobs in flight unknown and what it last said kept apart", async () => {
      const { store } = rest.runtime.ctx;
      await store.registerWorker({ id: 'live:10', host: 'node-b', pid: 10, version: 'test', concurrency: 4, queues: null });
      // Lost is 10 s without a heartbeat, by the store's clock: the worker killed as the suite began goes silent for real.
      const workers = async (key: string) => {
        await store.heartbeat('live:10', { inFlight: 1, state: 'running' });
        return calls['workers.list'].output.parse((await rest.call('GET', '/v1/workers', key)).json).workers;
      };
      const deadline = Date.now() + 20_000;
      while (!(await workers(rest.readKey)).some((w) => w.id === 'killed:9' && w.lost)) {
        assert.ok(Date.now() < deadline, 'the silent worker is lost within 20 s');
        await new Promise((done) => setTimeout(done, 500));
      }
      for (const key of [rest.readKey, rest.operateKey]) {
        const shown = new Map((await workers(key)).map((w) => [w.id, [w.state, w.reported_state, w.in_flight, w.lost]]));
        assert.deepEqual(shown.get('killed:9'), ['lost', 'running', null, true]);
        assert.deepEqual(shown.get('live:10'), ['running', 'running', 1, false]);
      }
    });

    it('marks a key past its expiry expired where keys are listed, and REST refuses it', async () => {
      const generated = generateKey();
      await rest.runtime.ctx.store.createApiKey({ ...generated.stored, name: 'old-dashboard', scope: 'read', expires_at: new Date(Date.now() - 60_000).toISOString() }, rest.runtime.ctx.actor);
      const res = await dispatch('apiKeys.list', {}, rest.runtime.ctx);
      const keys = calls['apiKeys.list'].output.parse(res.ok ? res.result : null).keys;
      assert.deepEqual(keys.map((k) => [k.name, k.expired]), [['ci-bot', false], ['monitor', false], ['old-dashboard', true]]);
      const refused = await rest.call('GET', '/v1/status', generated.secret);
      assert.equal(refused.status, 401);
      assert.match(refused.text, /the API key \\"old-dashboard\\" expired at/);
    });
  });
}
