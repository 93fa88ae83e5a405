import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RegistryHolder } from '../config/holder.ts';
import { silentLogger } from '../log/logger.ts';
import type { HealthResult } from '../runners/runner.ts';
import { CannotRunCheck } from './cannotRun.ts';
import { runnersProbing } from './testing/heldProbe.ts';
import { loadRegistry, tempDir } from './testing/harness.ts';

/**
 * A probe cannot be cancelled. One that does not answer (a custom runner's, a credential lookup that hangs)
 * is not asked again by the looks that follow, each 30 s: asked by every look, a worker would pile up a
 * pending probe twice a minute for as long as it runs. Its answer, once it comes, is the look's waiting on it.
 */
describe('a probe that has not answered is not asked again before it does', () => {
  let dir: { dir: string; cleanup(): Promise<void> };
  let holder: RegistryHolder;
  let check: CannotRunCheck;
  let asked = 0;
  const answer = Promise.withResolvers<HealthResult>();

  before(async () => {
    dir = await tempDir();
    ({ holder } = await loadRegistry(dir.dir, [{ name: 'smoke', execution_type: 'noop' }]));
    const runners = runnersProbing('noop', () => {
      asked++;
      return answer.promise;
    });
    check = new CannotRunCheck({ registry: holder, runners, env: { PATH: process.env.PATH }, log: silentLogger, probeWaitMs: 50 });
  });

  after(async () => {
    answer.resolve({ ok: true, detail: 'answered at last' });
    await dir.cleanup();
  });

  test('three looks ask it once, each leaving the kind not checked yet', async () => {
    for (let look = 1; look <= 3; look++) {
      await check.check();
      assert.deepEqual(check.unwritten()?.probing, ['noop'], `look ${look}`);
      assert.deepEqual(check.unwritten()?.unanswered, ['noop'], `look ${look}`);
    }
    assert.equal(asked, 1, 'every look started the probe again');
  });

  test('its answer, once it comes, is the look waiting on it', async () => {
    const look = check.check();
    answer.resolve({ ok: false, detail: 'no credentials', cannotStart: { smoke: ['no credentials found'] } });
    await look;
    const record = check.unwritten();
    assert.equal(record?.probing, undefined, 'the look took the answer');
    assert.deepEqual(record?.services.find((s) => s.service === 'smoke')?.other, ['no credentials found']);
    assert.equal(asked, 1);
  });

  test('once it answered, the next look asks again', async () => {
    await check.check();
    assert.equal(asked, 2);
  });
});

describe('after a reload, the new registry\'s probe is asked at once, not behind the one before', () => {
  let dir: { dir: string; cleanup(): Promise<void> };
  let holder: RegistryHolder;
  let check: CannotRunCheck;
  const asked: string[][] = [];
  /** The first registry's probe, which never answers while the test runs. */
  const hung = Promise.withResolvers<HealthResult>();

  before(async () => {
    dir = await tempDir();
    ({ holder } = await loadRegistry(dir.dir, [{ name: 'smoke', execution_type: 'noop' }]));
    const runners = runnersProbing('noop', (_real, services) => {
      asked.push(services.map((s) => s.name));
      return asked.length === 1 ? hung.promise : Promise.resolve({ ok: false, detail: 'no credentials', cannotStart: { dust: ['no credentials found'] } });
    });
    check = new CannotRunCheck({ registry: holder, runners, env: { PATH: process.env.PATH }, log: silentLogger, probeWaitMs: 50 });
  });

  after(async () => {
    hung.resolve({ ok: true, detail: 'answered at last' });
    await dir.cleanup();
  });

  test('the reloaded registry\'s look asks with its services and takes the answer, the hung one ignored', async () => {
    await check.check();
    assert.deepEqual(check.unwritten()?.unanswered, ['noop']);
    const file = path.join(dir.dir, 'reloaded.yaml');
    await writeFile(file, JSON.stringify({ services: [{ name: 'smoke', execution_type: 'noop' }, { name: 'dust', execution_type: 'noop' }] }));
    assert.equal((await holder.loadFile(file)).ok, true);
    await check.check();
    assert.deepEqual(asked, [['smoke'], ['smoke', 'dust']], 'the reloaded registry\'s probe waited behind the hung one');
    const record = check.unwritten();
    assert.equal(record?.probing, undefined, 'the look took the new registry\'s answer');
    assert.deepEqual(record?.services.map((s) => s.service), ['dust']);

    hung.resolve({ ok: true, detail: 'answered at last' });
    await check.check();
    assert.deepEqual(asked, [['smoke'], ['smoke', 'dust'], ['smoke', 'dust']], 'the old registry\'s late answer was taken for the new one');
    assert.deepEqual(check.unwritten()?.services.map((s) => s.service), ['dust']);
  });
});
