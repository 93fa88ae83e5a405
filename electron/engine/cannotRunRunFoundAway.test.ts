import assert from 'node:assert/strict';
import { after, before, describe, mock, test } from 'node:test';
import type { WorkerCannotRun } from '../../shared/domain.ts';
import type { RegistryHolder } from '../config/holder.ts';
import { silentLogger } from '../log/logger.ts';
import { startFakeDocker, type FakeDocker } from '../runners/testing/fakeDocker.ts';
import { CannotRunCheck } from './cannotRun.ts';
import { loadRegistry, tempDir, waitFor } from './testing/harness.ts';
import { heldProbe } from './testing/heldProbe.ts';

/**
 * A run that meets its Docker daemon away leaves the service out of the claims at once. The worker's record
 * (`opsdeck workers`, the Runners page) says so at once too, not once the look the run starts has ended
 * (up to 3 s, or a hung probe's wait), nor is it taken back by the answer of a look asked before the run.
 */
describe('a daemon a run found away is on the record as soon as the claims leave it out', () => {
  let dir: { dir: string; cleanup(): Promise<void> };
  let holder: RegistryHolder;
  let docker: FakeDocker;
  let shell: ReturnType<typeof heldProbe>;
  let check: CannotRunCheck;
  let looking: Promise<void> | null = null;
  const words = 'Docker daemon at the socket not answering (ECONNREFUSED)';

  const thumbs = () => {
    const found = holder.registry.services.find((s) => s.name === 'thumbs');
    assert.ok(found);
    return found;
  };
  const lackOf = (record: WorkerCannotRun | undefined) => record?.services.find((s) => s.service === 'thumbs');
  const away = { service: 'thumbs', execution_type: 'docker', unset: [], docker: words, other: [], declined: true };
  /** The run finds the daemon away a minute after the record was made: the record keeps when it was looked at. */
  const runFindsAwayLater = () => {
    const checkedAt = check.unwritten()?.checked_at;
    assert.ok(checkedAt !== undefined);
    mock.timers.enable({ apis: ['Date'], now: Date.parse(checkedAt) + 60_000 });
    try {
      check.runFoundAway(thumbs(), words);
    } finally {
      mock.timers.reset();
    }
    assert.equal(check.unwritten()?.checked_at, checkedAt, 'the record says it was checked when the run found the daemon away');
  };

  before(async () => {
    dir = await tempDir();
    docker = await startFakeDocker();
    shell = heldProbe('shell');
    ({ holder } = await loadRegistry(dir.dir, [
      { name: 'report', execution_type: 'shell', runner_config: { command: ['/bin/echo', 'reported'] }, security_policy: { allowed_commands: ['/bin/echo'] } },
      { name: 'thumbs', execution_type: 'docker', runner_config: { image: 'alpine:3', socket_path: docker.socketPath }, security_policy: { allowed_images: ['alpine:3'] } },
    ]));
    check = new CannotRunCheck({ registry: holder, runners: shell.runners, env: { PATH: process.env.PATH }, log: silentLogger, everyMs: 60_000, probeWaitMs: 60_000 });
  });

  after(async () => {
    shell.answer();
    await looking;
    await docker.close();
    await dir.cleanup();
  });

  test('while a look waits on another probe, its Docker answer given before the run', async () => {
    looking = check.check();
    await waitFor('the daemon to answer the look, the shell probe still held', () => check.unwritten()?.probing?.join() === 'shell');
    assert.equal(lackOf(check.unwritten()), undefined, 'the daemon answered');

    runFindsAwayLater();
    assert.deepEqual(check.declined(holder.registry), ['thumbs']);
    assert.deepEqual(lackOf(check.unwritten()), away, 'the record says what the claims do');
    assert.deepEqual(check.unwritten()?.probing, ['shell']);

    shell.answer();
    await looking;
    assert.equal(check.unwritten()?.probing, undefined, 'the look is whole');
    assert.deepEqual(lackOf(check.unwritten()), away, 'its Docker answer came before the run');
  });

  test('after a whole look found the daemon answering', async () => {
    await check.check();
    assert.equal(lackOf(check.unwritten()), undefined, 'the next look found it answering');
    assert.deepEqual(check.declined(holder.registry), []);

    runFindsAwayLater();
    assert.deepEqual(lackOf(check.unwritten()), away);
    assert.equal(check.unwritten()?.probing, undefined);
  });
});
