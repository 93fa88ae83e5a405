import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import v8 from 'node:v8';
import { silentLogger } from '../log/logger.ts';
import { CannotRunCheck } from './cannotRun.ts';
import { heldProbe } from './testing/heldProbe.ts';
import { loadRegistry, tempDir } from './testing/harness.ts';

/**
 * A probe that never answers is waited on by every look of its registry, one each 30 s for as long as the
 * worker runs. A look whose wait ran out must leave nothing on it: a handler each look held its promises
 * (a few hundred bytes) for ever.
 */
describe('a probe that never answers holds nothing of the looks that waited on it', () => {
  let dir: { dir: string; cleanup(): Promise<void> };
  let probe: ReturnType<typeof heldProbe>;
  let check: CannotRunCheck;

  before(async () => {
    dir = await tempDir();
    probe = heldProbe('noop');
    await loadRegistry(dir.dir, [{ name: 'smoke', execution_type: 'noop' }]).then(({ holder }) => {
      check = new CannotRunCheck({ registry: holder, runners: probe.runners, env: { PATH: process.env.PATH }, log: silentLogger, probeWaitMs: 1 });
    });
  });

  after(async () => {
    probe.answer();
    await check.check();
    await dir.cleanup();
  });

  /** The promises alive, counted after a full garbage collection. */
  const promisesAlive = () => v8.queryObjects(Promise, { format: 'count' });

  test('fifty more looks leave no more promises alive than they found', async () => {
    for (let look = 0; look < 10; look++) await check.check();
    const before = promisesAlive();
    const looks = 50;
    for (let look = 0; look < looks; look++) await check.check();
    assert.deepEqual(check.unwritten()?.unanswered, ['noop'], 'the probe answered');
    assert.equal(probe.asked(), 1);
    // Each look held on to at least one of its own; a few others come and go with the timers.
    assert.ok(promisesAlive() - before < looks, `${looks} looks left ${promisesAlive() - before} promises alive`);
  });
});
