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
import { loadRegistry, tempDir } from './testing/harness.ts';

const WAIT_MS = 20;
const HEALTHY: HealthResult = { ok: true, detail: 'answered' };

/**
 * A probe that stays stuck is waited on by every look, one each 30 s for as long as the worker runs; one
 * that answers only past the wait is asked afresh every other look. Said by each look, either would fill
 * the worker's log with the same warning: it is said once until a look hears the kind within its wait,
 * and that is said once too.
 */
describe('a stuck probe is said once, and once more when a look hears it again', () => {
  let dir: { dir: string; cleanup(): Promise<void> };
  let holder: RegistryHolder;
  let check: CannotRunCheck;
  const lines: string[] = [];
  /** How the next probe asked answers: never until the test says, at once, or after twice the wait. */
  let next: 'stuck' | 'at once' | 'past the wait' = 'stuck';
  const stuck: Array<PromiseWithResolvers<HealthResult>> = [];
  let askedCount = 0;
  const warned = () => lines.filter((l) => l.startsWith('warn the noop probe did not answer'));
  const answering = () => lines.filter((l) => l.startsWith('info the noop probe answers again'));

  const looks = async (n: number, unanswered: boolean) => {
    for (let look = 1; look <= n; look++) {
      await check.check();
      assert.deepEqual(check.unwritten()?.unanswered, unanswered ? ['noop'] : undefined, `look ${look}: its record says whether the probe ran out its wait`);
    }
  };

  before(async () => {
    dir = await tempDir();
    ({ holder } = await loadRegistry(dir.dir, [{ name: 'smoke', execution_type: 'noop' }]));
    const runners = runnersProbing('noop', () => {
      askedCount++;
      if (next === 'at once') return Promise.resolve(HEALTHY);
      if (next === 'past the wait') return new Promise((resolve) => setTimeout(() => resolve(HEALTHY), 2 * WAIT_MS));
      const answer = Promise.withResolvers<HealthResult>();
      stuck.push(answer);
      return answer.promise;
    });
    check = new CannotRunCheck({ registry: holder, runners, env: { PATH: process.env.PATH }, log: lineLogger((line) => lines.push(line)), probeWaitMs: WAIT_MS });
  });

  after(async () => {
    for (const answer of stuck) answer.resolve(HEALTHY);
    await dir.cleanup();
  });

  test('three looks on the same stuck probe warn once', async () => {
    await looks(3, true);
    assert.equal(askedCount, 1);
    assert.equal(warned().length, 1, warned().join('\n'));
    assert.deepEqual(answering(), []);
  });

  test('its answer, come between looks, says nothing; a look that hears the kind within its wait says so once', async () => {
    next = 'at once';
    stuck[0]?.resolve(HEALTHY);
    await new Promise((resolve) => setImmediate(resolve));
    await looks(1, false);
    assert.deepEqual(answering(), [], 'an answer that came past every wait is no sign the probe answers again');
    await looks(2, false);
    assert.equal(askedCount, 3);
    const [line, ...more] = answering();
    assert.deepEqual(more, [], answering().join('\n'));
    const unheardMs = Number(/ unheard_ms=(\d+)/.exec(line ?? '')?.[1]);
    assert.ok(unheardMs >= 2 * WAIT_MS, `${line}: two looks after the first warning went without its answer`);
    assert.ok(line?.startsWith(`info the noop probe answers again, ${durationText(unheardMs, '-')} after a look first went without its answer`), line);
    assert.match(line ?? '', / kind=noop/);
    assert.equal(warned().length, 1, warned().join('\n'));
  });

  test('a probe that answers only past the wait warns once, however many looks it takes', async () => {
    next = 'past the wait';
    for (let look = 1; look <= 6; look++) {
      await check.check();
      await new Promise((resolve) => setTimeout(resolve, 3 * WAIT_MS));
    }
    assert.ok(askedCount >= 5, `every other look asks afresh (asked ${askedCount})\n${lines.join('\n')}`);
    assert.equal(warned().length, 2, warned().join('\n'));
    assert.equal(answering().length, 1, answering().join('\n'));
  });

  test("after a reload, the new registry's probe stuck warns once again", async () => {
    next = 'stuck';
    const file = path.join(dir.dir, 'reloaded.yaml');
    await writeFile(file, JSON.stringify({ services: [{ name: 'smoke', execution_type: 'noop' }, { name: 'dust', execution_type: 'noop' }] }));
    assert.equal((await holder.loadFile(file)).ok, true);
    await looks(3, true);
    assert.equal(warned().length, 3, warned().join('\n'));
    assert.equal(answering().length, 1, answering().join('\n'));
  });
});
