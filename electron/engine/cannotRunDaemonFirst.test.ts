import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../store/store.ts';
import { createTestStore } from '../store/testing/testStore.ts';
import { Engine } from './engine.ts';
import { enqueueOne, jobOf, loadRegistry, tempDir, waitForStatus } from './testing/harness.ts';
import { heldProbe } from './testing/heldProbe.ts';

/**
 * A worker starts while one of its probes takes its time (an AWS credential lookup, a program on a slow
 * mount) and its Docker daemon is certainly away. The daemon's answer is the claims' as soon as it comes:
 * the worker's first claims, made once its start stopped waiting for the whole look, leave the Docker
 * service's jobs to other workers rather than failing them here on docker_unavailable.
 */
for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a daemon away is left alone as soon as its probe answers, whatever another probe is doing (${kind})`, () => {
    let dir: { dir: string; cleanup(): Promise<void> };
    let store: Store;
    let close: () => Promise<void>;
    let engine: Engine;
    let shell: ReturnType<typeof heldProbe>;

    before(async () => {
      dir = await tempDir();
      ({ store, cleanup: close } = await createTestStore(kind));
      shell = heldProbe('shell');
      const { holder } = await loadRegistry(dir.dir, [
        { name: 'fine', execution_type: 'noop' },
        { name: 'report', execution_type: 'shell', runner_config: { command: ['/bin/echo', 'reported'] }, security_policy: { allowed_commands: ['/bin/echo'] } },
        {
          name: 'thumbs',
          execution_type: 'docker',
          // Nothing listens there: the daemon is certainly away.
          runner_config: { image: 'alpine:3', socket_path: path.join(dir.dir, 'no-daemon.sock') },
          security_policy: { allowed_images: ['alpine:3'] },
          retry_config: { max_retries: 0 },
        },
      ]);
      engine = new Engine({ store, registry: holder, runners: shell.runners, env: { PATH: process.env.PATH }, pollMs: 20, schedules: false, maintenance: false });
    });

    after(async () => {
      shell.answer();
      await engine.stop({ graceMs: 0 });
      await close();
      await dir.cleanup();
    });

    test('its jobs are not claimed while the shell probe has not answered, and the others run', async () => {
      const thumbs = await enqueueOne(store, 'thumbs', 'docker', 1);
      await engine.start();
      assert.equal(shell.asked(), 1, 'the shell probe is still to answer');
      await waitForStatus(store, await enqueueOne(store, 'fine', 'noop', 1), 'completed');
      await waitForStatus(store, await enqueueOne(store, 'report', 'shell', 1), 'completed');
      const job = await jobOf(store, thumbs);
      assert.deepEqual([job.status, job.attempts, job.error_message ?? null], ['pending', 0, null]);
      assert.deepEqual(engine.declinedServices(), ['thumbs']);
    });
  });
}
