import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { durationText } from '../../shared/durationText.ts';
import type { RegistryHolder } from '../config/holder.ts';
import { lineLogger } from '../log/logger.ts';
import type { HealthResult } from '../runners/runner.ts';
import { CannotRunCheck } from './cannotRun.ts';
import { runnersProbing } from './testing/heldProbe.ts';
import { loadRegistry, tempDir, waitFor } from './testing/harness.ts';

/**
 * A probe that stays stuck is waited on by every look, one each 30 s for as long as the worker runs. Said
 * by each, one hung probe would fill the worker's log with the same warning twice a minute: it is said once
 * per probe asked, by the first look whose wait ran out on it, and its answer, should it come, once too.
 */
describe('a stuck probe is said once, and once more when it answers', () => {
  let dir: { dir: string; cleanup(): Promise<void> };
  let holder: RegistryHolder;
  let check: CannotRunCheck;
  const lines: string[] = [];
  /** Each probe asked, answering when the test says. */
  const asked: Array<PromiseWithResolvers<HealthResult>> = [];
  const warned = () => lines.filter((l) => l.startsWith('warn the noop probe did not answer'));
  const answered = () => lines.filter((l) => l.startsWith('info the noop probe answered'));

  const stuckLooks = async (looks: number) => {
    for (let look = 1; look <= looks; look++) {
      await check.check();
      assert.deepEqual(check.unwritten()?.unanswered, ['noop'], `look ${look}: its record says the probe ran out its wait`);
    }
  };

  before(async () => {
    dir = await tempDir();
    ({ holder } = await loadRegistry(dir.dir, [{ name: 'smoke', execution_type: 'noop' }]));
    const runners = runnersProbing('noop', () => {
      const answer = Promise.withResolvers<HealthResult>();
      asked.push(answer);
      return answer.promise;
    });
    check = new CannotRunCheck({ registry: holder, runners, env: { PATH: process.env.PATH }, log: lineLogger((line) => lines.push(line)), probeWaitMs: 20 });
  });

  after(async () => {
    for (const answer of asked) answer.resolve({ ok: true, detail: 'answered at last' });
    await dir.cleanup();
  });

  test('three looks on the same stuck probe warn once', async () => {
    await stuckLooks(3);
    assert.equal(asked.length, 1);
    assert.equal(warned().length, 1, warned().join('\n'));
    assert.deepEqual(answered(), []);
  });

  test('its answer is said once, with how long after it was asked it came', async () => {
    asked[0]?.resolve({ ok: true, detail: 'answered at last' });
    const [line] = await waitFor('the answer to be said', () => (answered().length > 0 ? answered() : null));
    const after = Number(/ answered_after_ms=(\d+)/.exec(line ?? '')?.[1]);
    assert.ok(after >= 40, `${line}: three looks of 20 ms each waited on it before it answered`);
    assert.ok(line?.startsWith(`info the noop probe answered at last, ${durationText(after, '-')} after it was asked`), line);
    assert.match(line ?? '', / kind=noop/);

    await check.check();
    assert.equal(check.unwritten()?.unanswered, undefined, 'the look took the late answer');
    assert.equal(answered().length, 1, answered().join('\n'));
    assert.equal(warned().length, 1, warned().join('\n'));
  });

  test('after a reload, the new registry\'s probe stuck warns once again, and its answer is said once', async () => {
    const file = path.join(dir.dir, 'reloaded.yaml');
    await writeFile(file, JSON.stringify({ services: [{ name: 'smoke', execution_type: 'noop' }, { name: 'dust', execution_type: 'noop' }] }));
    assert.equal((await holder.loadFile(file)).ok, true);
    await stuckLooks(3);
    assert.equal(asked.length, 2);
    assert.equal(warned().length, 2, warned().join('\n'));

    asked[1]?.resolve({ ok: true, detail: 'answered at last' });
    await waitFor('the second answer to be said', () => answered().length === 2);
    await check.check();
    assert.equal(answered().length, 2, answered().join('\n'));
    assert.equal(warned().length, 2, warned().join('\n'));
  });
});
