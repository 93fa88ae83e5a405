import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerInfo } from '../../../shared/domain.ts';
import { alice, ALICE, auditActions, claimOne, sleep } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

/** Workers: registering, heartbeats and the lost flag, their pools, what each cannot run, the services it declares, forgetting one. */
export function workersContract(test: ContractTest): void {
  describe('workers', () => {
    test('register, heartbeat and the lost flag', async (store) => {
      await store.registerWorker({ id: 'host-a:1', host: 'host-a', pid: 1, version: '0.1.0', concurrency: 4, queues: null });
      await store.registerWorker({ id: 'host-b:2', host: 'host-b', pid: 2, version: '0.1.0', concurrency: 2, queues: ['mail', 'reports'] });
      await store.heartbeat('host-a:1', { inFlight: 3, state: 'draining' });
      const workers = (await store.listWorkers(60_000)).map((w) => WorkerInfo.parse(w));
      const a = workers.find((w) => w.id === 'host-a:1');
      const b = workers.find((w) => w.id === 'host-b:2');
      assert.ok(a && b);
      assert.equal(a.in_flight, 3);
      assert.equal(a.state, 'draining');
      assert.equal(a.queues, null);
      assert.equal(a.lost, false);
      assert.deepEqual(b.queues, ['mail', 'reports']);
      assert.equal(b.concurrency, 2);
      await sleep(30);
      assert.ok((await store.listWorkers(5)).every((w) => w.lost));
      // One that stopped cleanly is stopped, however old its last heartbeat: the console must not call it lost.
      await store.heartbeat('host-b:2', { inFlight: 0, state: 'stopped' });
      await sleep(30);
      const after = await store.listWorkers(5);
      assert.deepEqual(after.map((w) => [w.id, w.state, w.lost]).sort(), [['host-a:1', 'draining', true], ['host-b:2', 'stopped', false]]);
    });

    test("a worker's name is kept beside its id, shared by any number of workers; none is null", async (store) => {
      await store.registerWorker({ id: 'watchdog-1942f8c8', name: 'watchdog', host: 'h', pid: 1, version: '0.1.0', concurrency: 1, queues: null });
      await store.registerWorker({ id: 'watchdog-77aa00bb', name: 'watchdog', host: 'h', pid: 2, version: '0.1.0', concurrency: 1, queues: null });
      await store.registerWorker({ id: 'h-3-0badc0de', host: 'h', pid: 3, version: '0.1.0', concurrency: 1, queues: null });
      const names = (await store.listWorkers(60_000)).map((w) => WorkerInfo.parse(w)).map((w) => [w.id, w.name]).sort();
      assert.deepEqual(names, [['h-3-0badc0de', null], ['watchdog-1942f8c8', 'watchdog'], ['watchdog-77aa00bb', 'watchdog']]);
      // Registering again (after a forget, or a store that lost it) says the name again.
      await store.registerWorker({ id: 'h-3-0badc0de', name: 'etl', host: 'h', pid: 3, version: '0.1.0', concurrency: 1, queues: null });
      assert.equal((await store.listWorkers(60_000)).find((w) => w.id === 'h-3-0badc0de')?.name, 'etl');
    });

    test('a worker the control plane holds is kept as held, every other field kept through the migration that allowed it', async (store) => {
      await store.registerWorker({ id: 'w:1', host: 'h', pid: 1, version: '0.1.0', concurrency: 2, queues: ['mail'], services: ['payments'] });
      const memory = { rss_bytes: 1_000_000, heap_used_bytes: 500_000 };
      assert.equal(await store.heartbeat('w:1', { inFlight: 1, state: 'held', usage: { memory, cpu_percent: 3.5, pool: null } }), true);
      const [held] = (await store.listWorkers(60_000)).map((w) => WorkerInfo.parse(w));
      assert.deepEqual([held?.state, held?.in_flight, held?.queues, held?.services, held?.memory, held?.lost], ['held', 1, ['mail'], ['payments'], memory, false]);
      await store.heartbeat('w:1', { inFlight: 0, state: 'running' });
      assert.equal((await store.listWorkers(60_000))[0]?.state, 'running');
    });

    test("a heartbeat's memory and CPU are kept until the next, a lost worker's are its last; none said is null", async (store) => {
      await store.registerWorker({ id: 'w:1', host: 'h', pid: 1, version: '0.1.0', concurrency: 1, queues: null });
      const usage = async () => {
        const [worker] = (await store.listWorkers(60_000)).map((w) => WorkerInfo.parse(w));
        return worker && { memory: worker.memory, cpu_percent: worker.cpu_percent, pool: worker.pool };
      };
      const none = { memory: null, cpu_percent: null, pool: null };
      assert.deepEqual(await usage(), none, 'registered, not beaten yet');
      // Past 4 GiB: no 32-bit column cuts a leaking worker's figure short; a busy one past a core, to a tenth.
      const leaking = { memory: { rss_bytes: 5 * 1024 ** 3 + 7, heap_used_bytes: 123_456_789 }, cpu_percent: 187.3, pool: null };
      assert.equal(await store.heartbeat('w:1', { inFlight: 1, state: 'running', usage: leaking }), true);
      assert.deepEqual(await usage(), leaking);
      assert.equal(await store.heartbeat('w:1', { inFlight: 1, state: 'running' }), true);
      assert.deepEqual(await usage(), none, 'a heartbeat that does not say leaves them unknown, not stale');
      const first = { memory: { rss_bytes: 1, heap_used_bytes: 1 }, cpu_percent: null, pool: null };
      assert.equal(await store.heartbeat('w:1', { inFlight: 1, state: 'running', usage: first }), true);
      assert.deepEqual(await usage(), first, 'memory without CPU: a first heartbeat with nothing to measure from');

      const last = { memory: { rss_bytes: 210_000_000, heap_used_bytes: 40_000_000 }, cpu_percent: 0.4, pool: null };
      await store.heartbeat('w:1', { inFlight: 1, state: 'running', services: ['payments'], usage: last });
      await sleep(30);
      const [lost] = await store.listWorkers(5);
      assert.deepEqual([lost?.lost, lost?.memory, lost?.cpu_percent], [true, last.memory, 0.4], 'lost, its last known stays');
      const refused = await store.forgetWorker('w:1', 60_000, alice);
      assert.deepEqual([refused?.outcome, refused?.worker.memory, refused?.worker.cpu_percent], ['alive', last.memory, 0.4], 'read under its lock too');
      await store.registerWorker({ id: 'w:1', host: 'h', pid: 1, version: '0.1.0', concurrency: 1, queues: null });
      assert.deepEqual(await usage(), none, 'a worker that registers again has said nothing yet');
    });
  });

  describe("a worker's connection pool", () => {
    test("each heartbeat's figures replace the last, a lost worker's are its last, none said is null, registering clears them", async (store) => {
      await store.registerWorker({ id: 'w:1', host: 'h', pid: 1, version: '0.1.0', concurrency: 4, queues: null });
      const pool = async (lostAfterMs = 60_000) => (await store.listWorkers(lostAfterMs)).map((w) => WorkerInfo.parse(w))[0]?.pool;
      assert.equal(await pool(), null, 'registered, not beaten yet');
      // A store keeps what the worker measured, whatever its own dialect: the worker's store is the one with a pool.
      const exhausted = { max: 2, peak_in_use: 2, peak_waiting: 3, longest_wait_ms: 1234.5 };
      assert.equal(await store.heartbeat('w:1', { inFlight: 4, state: 'running', usage: { memory: null, cpu_percent: null, pool: exhausted } }), true);
      assert.deepEqual(await pool(), exhausted);
      const calm = { max: 2, peak_in_use: 1, peak_waiting: 0, longest_wait_ms: 0 };
      await store.heartbeat('w:1', { inFlight: 0, state: 'running', usage: { memory: null, cpu_percent: null, pool: calm } });
      assert.deepEqual(await pool(), calm, 'not a running peak: the next heartbeat says its own period');
      await store.heartbeat('w:1', { inFlight: 0, state: 'running' });
      assert.equal(await pool(), null, 'a heartbeat that does not say leaves it unknown, not stale');
      await store.heartbeat('w:1', { inFlight: 0, state: 'running', usage: { memory: null, cpu_percent: null, pool: exhausted } });
      await sleep(30);
      assert.deepEqual(await pool(5), exhausted, 'lost, its last known stays');
      await store.registerWorker({ id: 'w:1', host: 'h', pid: 1, version: '0.1.0', concurrency: 4, queues: null });
      assert.equal(await pool(), null, 'a worker that registers again has said nothing yet');
    });
  });

  describe('what a worker cannot run', () => {
    test('written with a heartbeat, kept by one that does not give it, cleared by registering again; never said is null', async (store) => {
      await store.registerWorker({ id: 'w:1', host: 'h', pid: 1, version: '0.1.0', concurrency: 1, queues: null });
      const lacks = async () => (await store.listWorkers(60_000)).map((w) => WorkerInfo.parse(w))[0]?.cannot_run;
      assert.equal(await lacks(), null, 'registered, not checked yet: not known');
      const checked = {
        checked_at: '2026-12-07T12:00:00.000Z',
        services: [
          { service: 'billing', execution_type: 'shell' as const, unset: ['STRIPE_KEY'], docker: null, other: [], declined: true },
          { service: 'thumbs', execution_type: 'docker' as const, unset: [], docker: 'Docker daemon at /var/run/docker.sock not answering (ENOENT)', other: [], declined: true },
        ],
      };
      assert.equal(await store.heartbeat('w:1', { inFlight: 0, state: 'running', cannotRun: checked }), true);
      assert.deepEqual(await lacks(), checked);
      assert.equal(await store.heartbeat('w:1', { inFlight: 0, state: 'running' }), true);
      assert.deepEqual(await lacks(), checked, 'a heartbeat between checks keeps the last');
      const fine = { checked_at: '2026-12-07T12:00:30.000Z', services: [] };
      await store.heartbeat('w:1', { inFlight: 0, state: 'running', cannotRun: fine });
      assert.deepEqual(await lacks(), fine, 'nothing lacking is said, not left unknown');
      await store.registerWorker({ id: 'w:1', host: 'h', pid: 1, version: '0.1.0', concurrency: 1, queues: null });
      assert.equal(await lacks(), null, 'a worker that registers again has not checked yet');
    });
  });

  describe("a worker's services", () => {
    test('declared at registration, replaced by a heartbeat that gives them, kept by one that does not; none said is null', async (store) => {
      await store.registerWorker({ id: 'w:1', host: 'h', pid: 1, version: '0.1.0', concurrency: 1, queues: null, services: ['mailer', 'payments'] });
      await store.registerWorker({ id: 'old:2', host: 'h', pid: 2, version: '0.0.9', concurrency: 1, queues: null });
      const services = async () => Object.fromEntries((await store.listWorkers(60_000)).map((w) => [w.id, w.services]));
      assert.deepEqual(await services(), { 'w:1': ['mailer', 'payments'], 'old:2': null });
      assert.equal(await store.heartbeat('w:1', { inFlight: 0, state: 'running' }), true);
      assert.deepEqual((await services())['w:1'], ['mailer', 'payments'], 'a plain heartbeat keeps them');
      assert.equal(await store.heartbeat('w:1', { inFlight: 0, state: 'running', services: ['payments', 'reports'] }), true);
      assert.deepEqual((await services())['w:1'], ['payments', 'reports'], 'a reloaded registry declares them again');
      assert.equal(await store.heartbeat('w:1', { inFlight: 0, state: 'running', services: [] }), true);
      assert.deepEqual((await services())['w:1'], [], 'a registry with no service runs none');
    });

    test('the registry it runs: declared at registration, replaced by a heartbeat that gives it, kept by one that does not', async (store) => {
      const first = { digest: 'a'.repeat(64), path: '/etc/opsdeck/registry.yaml', loaded_at: '2026-12-07T12:01:00.000Z' };
      const reloaded = { digest: 'b'.repeat(64), path: '/etc/opsdeck/registry.yaml', loaded_at: '2026-12-07T12:30:00.000Z' };
      await store.registerWorker({ id: 'w:1', host: 'h', pid: 1, version: '0.1.0', concurrency: 1, queues: null, services: ['mailer'], registry: first });
      await store.registerWorker({ id: 'old:2', host: 'h', pid: 2, version: '0.0.9', concurrency: 1, queues: null });
      const registries = async () => Object.fromEntries((await store.listWorkers(60_000)).map((w) => [w.id, w.registry]));
      assert.deepEqual(await registries(), { 'w:1': first, 'old:2': null });
      assert.equal(await store.heartbeat('w:1', { inFlight: 0, state: 'running' }), true);
      assert.deepEqual((await registries())['w:1'], first, 'a plain heartbeat keeps it');
      assert.equal(await store.heartbeat('w:1', { inFlight: 0, state: 'running', services: ['mailer'], registry: reloaded }), true);
      assert.deepEqual((await registries())['w:1'], reloaded, 'a reload declares it again');
      const text = { digest: 'c'.repeat(64), path: null, loaded_at: '2026-12-07T13:00:00.000Z' };
      assert.equal(await store.heartbeat('w:1', { inFlight: 0, state: 'running', services: ['mailer'], registry: text }), true);
      assert.deepEqual((await registries())['w:1'], text, 'a registry read from text has no file');
      const forgotten = await store.forgetWorker('w:1', 0, alice);
      assert.deepEqual(forgotten?.worker.registry, text, 'read under its lock too');
    });
  });

  describe('forgetting a worker', () => {
    test('only a lost or stopped worker no job is leased to any more; audited', async (store) => {
      await store.registerWorker({ id: 'crashed:1', host: 'crashed', pid: 1, version: '0.1.0', concurrency: 1, queues: null });
      await store.registerWorker({ id: 'quit:2', host: 'quit', pid: 2, version: '0.1.0', concurrency: 1, queues: null });
      await store.heartbeat('quit:2', { inFlight: 0, state: 'stopped' });
      const claimed = await claimOne(store, {}, 'crashed:1', 50);
      assert.equal((await store.forgetWorker('crashed:1', 60_000, alice))?.outcome, 'alive');
      await sleep(80);
      const holding = await store.forgetWorker('crashed:1', 5, alice);
      assert.deepEqual([holding?.outcome, holding?.jobs, holding?.worker.lost], ['holds_jobs', 1, true]);
      assert.deepEqual((await store.reclaimExpired(new Date(Date.now() + 60_000))).retried, [claimed.id]);

      const forgotten = await store.forgetWorker('crashed:1', 5, alice);
      assert.deepEqual([forgotten?.outcome, forgotten?.worker.host], ['forgotten', 'crashed']);
      assert.equal((await store.forgetWorker('quit:2', 60_000, alice))?.outcome, 'forgotten', 'a stopped worker, however recent');
      assert.equal(await store.forgetWorker('crashed:1', 5, alice), null);
      assert.deepEqual(await store.listWorkers(5), []);
      const audited = (await auditActions(store)).filter((a) => a.action === 'worker.forget');
      assert.deepEqual(audited.map((a) => [a.target, a.actor]).sort(), [['crashed:1', ALICE], ['quit:2', ALICE]]);
    });
  });
}
