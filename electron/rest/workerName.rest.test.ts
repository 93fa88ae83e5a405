import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const registryPath = resolve(import.meta.dirname, '..', '..', 'examples', 'registry.yaml');

/** A worker's name over real HTTP: in the fleet's answer, and as the name of a health check. */
describe('REST: named workers', () => {
  let rest: RestFixture;

  before(async () => {
    rest = await startRestFixture(registryPath, { ...process.env, OPSDECK_REGISTRY: '' });
    const { store } = rest.runtime.ctx;
    await store.registerWorker({ id: 'watchdog-1942f8c8', name: 'watchdog', host: 'a', pid: 1, version: 'test', concurrency: 1, queues: null });
    await store.registerWorker({ id: 'watchdog-77aa00bb', name: 'watchdog', host: 'b', pid: 2, version: 'test', concurrency: 1, queues: null });
    await store.registerWorker({ id: 'a-3-0badc0de', host: 'a', pid: 3, version: 'test', concurrency: 1, queues: null });
  });

  after(async () => {
    await rest?.close();
  });

  it('GET /v1/workers says each worker\'s name, null when it has none', async () => {
    const answer = await rest.call('GET', '/v1/workers', rest.readKey);
    assert.equal(answer.status, 200, answer.text);
    const { workers } = calls['workers.list'].output.parse(answer.json);
    assert.deepEqual(workers.map((w) => [w.id, w.name]).sort(), [['a-3-0badc0de', null], ['watchdog-1942f8c8', 'watchdog'], ['watchdog-77aa00bb', 'watchdog']]);
  });

  it("GET /v1/workers says each worker's CPU use, memory and connection pool at its last heartbeat, null before one said them", async () => {
    const pool = { max: 2, peak_in_use: 2, peak_waiting: 3, longest_wait_ms: 840.5 };
    const usage = { memory: { rss_bytes: 300_000_000, heap_used_bytes: 50_000_000 }, cpu_percent: 142.5, pool };
    assert.equal(await rest.runtime.ctx.store.heartbeat('watchdog-77aa00bb', { inFlight: 2, state: 'running', usage }), true);
    const { workers } = calls['workers.list'].output.parse((await rest.call('GET', '/v1/workers', rest.readKey)).json);
    const of = (id: string) => workers.find((w) => w.id === id);
    assert.deepEqual([of('watchdog-77aa00bb')?.cpu_percent, of('watchdog-77aa00bb')?.memory, of('watchdog-77aa00bb')?.pool], [142.5, usage.memory, pool]);
    assert.deepEqual([of('a-3-0badc0de')?.cpu_percent, of('a-3-0badc0de')?.memory, of('a-3-0badc0de')?.pool], [null, null, null]);
  });

  it('GET /v1/health/worker:NAME checks every worker of that name; an unknown one is 404', async () => {
    const answer = await rest.call('GET', '/v1/health/worker:WATCHDOG', rest.readKey);
    assert.equal(answer.status, 200, answer.text);
    const report = calls['health.check'].output.parse(answer.json);
    assert.deepEqual(report.checks.map((c) => c.name).sort(), ['worker:watchdog-1942f8c8', 'worker:watchdog-77aa00bb']);
    assert.equal((await rest.call('GET', '/v1/health/worker:nobody', rest.readKey)).status, 404);
  });

  it('GET /v1/health/worker:NAME of a worker stopped cleanly is 503 with when it stopped and how to start it again; forgotten, 404', async () => {
    const { store } = rest.runtime.ctx;
    await store.registerWorker({ id: 'sentinel-0a1b2c3d', name: 'sentinel', host: 'c', pid: 4, version: 'test', concurrency: 2, queues: ['nightly'] });
    assert.equal(await store.heartbeat('sentinel-0a1b2c3d', { inFlight: 0, state: 'stopped' }), true);
    for (const path of ['/v1/health/worker:SENTINEL', '/v1/health/worker:sentinel-0a1b2c3d']) {
      const answer = await rest.call('GET', path, rest.readKey);
      assert.equal(answer.status, 503, `${path}: ${answer.text}`);
      const report = calls['health.check'].output.parse(answer.json);
      assert.deepEqual(report.checks.map((c) => [c.name, c.ok]), [['worker:sentinel-0a1b2c3d', false]]);
      assert.match(report.checks[0]?.detail ?? '', /^stopped at \d{4}-\d{2}-\d{2}T[\d:.]+Z \(its last heartbeat, \d+s ago; c, pid 4\): start it again on c with opsdeck worker --name=sentinel --queues=nightly --concurrency=2, adding --db for this store \(its location needs an operate key\)$/);
    }
    const whole = calls['health.check'].output.parse((await rest.call('GET', '/v1/health', rest.readKey)).json);
    assert.ok(!whole.checks.some((c) => c.name === 'worker:sentinel-0a1b2c3d'), 'the whole report leaves a stopped worker out');

    assert.equal((await rest.call('POST', '/v1/workers/sentinel-0a1b2c3d/forget', rest.operateKey, {})).status, 200);
    assert.equal((await rest.call('GET', '/v1/health/worker:sentinel', rest.readKey)).status, 404);
  });
});
