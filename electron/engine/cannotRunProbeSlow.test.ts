import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { RegistryHolder } from '../config/holder.ts';
import { silentLogger } from '../log/logger.ts';
import type { HealthResult } from '../runners/runner.ts';
import { CannotRunCheck } from './cannotRun.ts';
import { runnersProbing } from './testing/heldProbe.ts';
import { loadRegistry, tempDir } from './testing/harness.ts';

/**
 * A probe that always answers after the look's wait (a slow credential lookup, a Docker daemon under load)
 * must still be heard: its answer, come with no look waiting, is the next look's at once. Asked afresh by
 * every look, it would run out every look's wait, and its services stay "not checked yet" for ever.
 */
describe('a probe slower than the look\'s wait is heard by the next look', () => {
  let dir: { dir: string; cleanup(): Promise<void> };
  let holder: RegistryHolder;
  let check: CannotRunCheck;
  /** Each probe asked, answering when the test says. */
  const asked: Array<PromiseWithResolvers<HealthResult>> = [];

  before(async () => {
    dir = await tempDir();
    ({ holder } = await loadRegistry(dir.dir, [{ name: 'smoke', execution_type: 'noop' }]));
    const runners = runnersProbing('noop', () => {
      const answer = Promise.withResolvers<HealthResult>();
      asked.push(answer);
      return answer.promise;
    });
    check = new CannotRunCheck({ registry: holder, runners, env: { PATH: process.env.PATH }, log: silentLogger, probeWaitMs: 50 });
  });

  after(async () => {
    for (const answer of asked) answer.resolve({ ok: true, detail: 'answered at last' });
    await dir.cleanup();
  });

  test('its late answer is the next look\'s, and the look after asks afresh', async () => {
    await check.check();
    assert.deepEqual(check.unwritten()?.unanswered, ['noop'], 'the first look ran out its wait');
    asked[0]?.resolve({ ok: false, detail: 'no credentials', cannotStart: { smoke: ['no credentials found'] } });
    await asked[0]?.promise;
    await turn();

    await check.check();
    const record = check.unwritten();
    assert.equal(record?.unanswered, undefined, 'the late answer was dropped');
    assert.equal(record?.probing, undefined);
    assert.deepEqual(record?.services.find((s) => s.service === 'smoke')?.other, ['no credentials found']);
    assert.equal(asked.length, 1, 'the look asked again instead of taking the answer');

    await check.check();
    assert.equal(asked.length, 2, 'the look after took the same answer again');
    assert.deepEqual(check.unwritten()?.unanswered, ['noop']);
  });
});
