import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RegistryHolder } from '../config/holder.ts';
import { silentLogger } from '../log/logger.ts';
import { CannotRunCheck } from './cannotRun.ts';
import { loadRegistry, tempDir, waitFor } from './testing/harness.ts';
import { heldProbe } from './testing/heldProbe.ts';

/**
 * A Docker probe answers for the sockets it asked about, and only those. A look of the registry before a
 * reload may answer after a run under the new registry met another socket's daemon away: that answer must
 * not take the other socket back into the claims, or the worker claims its jobs again, and hands each back
 * unrun, until the next look.
 */
describe('a late answer of the registry before a reload keeps the sockets it did not ask about', () => {
  let dir: { dir: string; cleanup(): Promise<void> };
  let holder: RegistryHolder;
  let docker: ReturnType<typeof heldProbe>;
  let check: CannotRunCheck;
  let looking: Promise<void> | null = null;
  /** No daemon behind either: the first is missing when the old look's probe answers; the second a run met away. */
  let first: string;
  let second: string;

  const docked = (name: string, socket: string) => ({
    name,
    execution_type: 'docker',
    runner_config: { image: 'alpine:3', socket_path: socket },
    security_policy: { allowed_images: ['alpine:3'] },
  });
  const service = (name: string) => {
    const found = holder.registry.services.find((s) => s.name === name);
    assert.ok(found, name);
    return found;
  };

  before(async () => {
    dir = await tempDir();
    first = path.join(dir.dir, 'first.sock');
    second = path.join(dir.dir, 'second.sock');
    ({ holder } = await loadRegistry(dir.dir, [docked('thumbs', first)]));
    docker = heldProbe('docker');
    check = new CannotRunCheck({ registry: holder, runners: docker.runners, env: { PATH: process.env.PATH }, log: silentLogger, everyMs: 60_000, probeWaitMs: 60_000 });
  });

  after(async () => {
    docker.answer();
    await looking;
    await dir.cleanup();
  });

  test('the socket a run found away under the new registry stays away when the old look answers of the first', async () => {
    looking = check.check();
    await waitFor('the look of the first registry to wait on its Docker probe', () => docker.asked() === 1);
    const file = path.join(dir.dir, 'reloaded.yaml');
    await writeFile(file, JSON.stringify({ services: [docked('thumbs', first), docked('resize', second)] }));
    assert.equal((await holder.loadFile(file)).ok, true);
    check.runFoundAway(service('resize'), `Docker daemon at ${second} not answering (ECONNREFUSED)`);
    assert.deepEqual(check.declined(holder.registry), ['resize']);

    // The first registry's probe answers, of the first socket alone; the reloaded registry's look then waits on its own.
    docker.hold();
    await waitFor('the old look\'s answer: the first socket missing', () => check.daemonAway(service('thumbs')));
    assert.equal(check.daemonAway(service('resize')), true, 'the old look never asked of the second socket');
    assert.deepEqual(check.declined(holder.registry), ['thumbs', 'resize']);
  });
});
