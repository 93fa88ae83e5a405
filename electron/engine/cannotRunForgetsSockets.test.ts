import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RegistryHolder } from '../config/holder.ts';
import { silentLogger } from '../log/logger.ts';
import { CannotRunCheck } from './cannotRun.ts';
import { heldProbe } from './testing/heldProbe.ts';
import { loadRegistry, tempDir } from './testing/harness.ts';

/**
 * The Docker sockets a look found away are kept across reloads while the registry names them: a daemon's
 * answer is its socket's. One a reload stops naming is forgotten. Kept, a later reload naming it again had
 * its jobs left out on a look made before, however long ago, until the next look answered.
 */
describe('a reload forgets the daemons found away at sockets the registry no longer names', () => {
  let dir: { dir: string; cleanup(): Promise<void> };
  let holder: RegistryHolder;
  let docker: ReturnType<typeof heldProbe>;
  let check: CannotRunCheck;
  let withThumbs: unknown[];

  before(async () => {
    dir = await tempDir();
    // No daemon behind it: the probe finds it away, for certain.
    const socket = path.join(dir.dir, 'docker.sock');
    withThumbs = [
      { name: 'smoke', execution_type: 'noop' },
      { name: 'thumbs', execution_type: 'docker', runner_config: { image: 'alpine:3', socket_path: socket }, security_policy: { allowed_images: ['alpine:3'] } },
    ];
    ({ holder } = await loadRegistry(dir.dir, withThumbs));
    // The test says when each look's Docker probe answers.
    docker = heldProbe('docker');
    check = new CannotRunCheck({ registry: holder, runners: docker.runners, env: { PATH: process.env.PATH }, log: silentLogger, everyMs: 60_000 });
  });

  after(async () => {
    docker.answer();
    await dir.cleanup();
  });

  const reload = async (name: string, services: unknown[]) => {
    const file = path.join(dir.dir, name);
    await writeFile(file, JSON.stringify({ services }));
    assert.equal((await holder.loadFile(file)).ok, true);
  };

  /** A look of the registry in use, its Docker probe answering once `meanwhile` has run. */
  const look = async (meanwhile: () => void = () => undefined) => {
    const looking = check.check();
    meanwhile();
    docker.hold();
    await looking;
  };

  test('found away, then a reload without it, then one naming it again: not known until a look answers, not away', async () => {
    await look();
    assert.deepEqual(check.declined(holder.registry), ['thumbs'], 'the first look found the daemon away');

    await reload('without-thumbs.yaml', withThumbs.slice(0, 1));
    await look();

    await reload('thumbs-again.yaml', withThumbs);
    await look(() => assert.deepEqual(check.declined(holder.registry), [], 'claimed while the look has not answered: not known is not away'));
    assert.deepEqual(check.declined(holder.registry), ['thumbs'], 'the look that answered found it away again');
  });
});
