import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RegistryHolder } from '../config/holder.ts';
import { silentLogger } from '../log/logger.ts';
import { startFakeDocker, type FakeDocker } from '../runners/testing/fakeDocker.ts';
import { within } from '../runners/within.ts';
import { CannotRunCheck } from './cannotRun.ts';
import { runnersProbing } from './testing/heldProbe.ts';
import { loadRegistry, tempDir, waitFor } from './testing/harness.ts';

/**
 * A look ends once every kind's probe has answered, and no later look starts before it does. A probe that
 * never answers (a custom runner's, a lookup that hangs) is waited on only so long: said, its services
 * still claimed, and the looks go on, so a Docker daemon that answers again is no longer left alone.
 */
describe('a probe that never answers holds up no later look', () => {
  let dir: { dir: string; cleanup(): Promise<void> };
  let holder: RegistryHolder;
  let socket: string;
  let docker: FakeDocker | null = null;
  let check: CannotRunCheck;

  before(async () => {
    dir = await tempDir();
    // No daemon behind it until the test links one there.
    socket = path.join(dir.dir, 'docker.sock');
    ({ holder } = await loadRegistry(dir.dir, [
      { name: 'smoke', execution_type: 'noop' },
      { name: 'thumbs', execution_type: 'docker', runner_config: { image: 'alpine:3', socket_path: socket }, security_policy: { allowed_images: ['alpine:3'] } },
    ]));
    const runners = runnersProbing('noop', () => new Promise(() => undefined));
    check = new CannotRunCheck({ registry: holder, runners, env: { PATH: process.env.PATH }, log: silentLogger, everyMs: 50, probeWaitMs: 200 });
  });

  after(async () => {
    await docker?.close();
    await dir.cleanup();
  });

  test('the look ends; the probe that did not answer leaves its services not known (still to be checked), neither failing nor declined', async () => {
    assert.equal(await within(check.check().then(() => 'ended'), 5000), 'ended', 'the look waits on the stuck probe');
    const record = check.unwritten();
    assert.equal(record?.services.find((s) => s.service === 'smoke'), undefined, 'not said to fail there');
    assert.deepEqual(record?.probing, ['noop']);
    assert.deepEqual(record?.unanswered, ['noop'], 'it ran out its wait, not merely still to answer');
    assert.deepEqual(check.declined(holder.registry), ['thumbs'], 'the daemon away, for certain');
  });

  test('a daemon that answers again is claimed again at the next look', async () => {
    docker = await startFakeDocker();
    await symlink(docker.socketPath, socket);
    await waitFor('the next look to be due', () => check.due());
    assert.equal(await within(check.check().then(() => 'ended'), 5000), 'ended', 'the look waits on the stuck probe');
    assert.deepEqual(check.declined(holder.registry), []);
  });
});
