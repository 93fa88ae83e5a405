import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const registryPath = resolve(import.meta.dirname, '..', '..', 'examples', 'registry.yaml');
const stale = { digest: '01d5'.repeat(16), path: registryPath, loaded_at: '2026-12-07T12:01:00.000Z' };

/** The registry each worker runs, over real HTTP: in the fleet's answer, and beside the file in the registry check. */
describe('REST: the registry a worker runs', () => {
  let rest: RestFixture;

  before(async () => {
    rest = await startRestFixture(registryPath, { ...process.env, OPSDECK_REGISTRY: '' });
    await rest.runtime.ctx.store.registerWorker({ id: 'stale-1', host: hostname(), pid: 4242, version: 'test', concurrency: 1, queues: null, registry: stale });
    await rest.runtime.ctx.store.registerWorker({ id: 'older-2', host: hostname(), pid: 4343, version: 'test', concurrency: 1, queues: null });
  });

  after(async () => {
    await rest?.close();
  });

  it("GET /v1/workers says each worker's registry: digest, file, load time; null from a worker that did not say; where the file is, to an operate key only", async () => {
    const registries = async (key: string) => {
      const answer = await rest.call('GET', '/v1/workers', key);
      assert.equal(answer.status, 200, answer.text);
      return Object.fromEntries(calls['workers.list'].output.parse(answer.json).workers.map((w) => [w.id, w.registry]));
    };
    assert.deepEqual(await registries(rest.operateKey), { 'stale-1': stale, 'older-2': null });
    assert.deepEqual(await registries(rest.readKey), { 'stale-1': { ...stale, path: '[redacted]' }, 'older-2': null });
  });

  it('GET /v1/health/registry warns naming the worker whose registry is not the file, without saying where the file is', async () => {
    const answer = await rest.call('GET', '/v1/health/registry', rest.readKey);
    assert.equal(answer.status, 200, answer.text);
    const [check] = calls['health.check'].output.parse(answer.json).checks;
    assert.equal(check?.warning, true);
    assert.match(check?.detail ?? '', /worker stale-1 runs registry 01d501d501d5 loaded 2026-12-07T12:01:00.000Z; the registry file is now [0-9a-f]{12}: send it SIGHUP to reload \(kill -HUP 4242 on /);
    assert.doesNotMatch(check?.detail ?? '', /examples/);
    assert.doesNotMatch(check?.detail ?? '', /older-2/);
  });
});
