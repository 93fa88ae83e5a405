import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../store/store.ts';
import { createTestStore } from '../store/testing/testStore.ts';
import { startFakeDocker, type FakeDocker } from '../runners/testing/fakeDocker.ts';
import { Engine } from './engine.ts';
import { enqueueOne, jobOf, loadRegistry, tempDir, waitFor, waitForStatus } from './testing/harness.ts';

/**
 * Short jobs make a worker claim ahead of its free slots. A Docker job waiting in that buffer when a look
 * finds its daemon gone goes back unstarted, for a worker whose daemon answers: started, it would fail on
 * the missing socket and, out of retries, go to the dead-letter queue.
 */
for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a Docker job claimed ahead goes back unstarted once its daemon is found away (${kind})`, () => {
    let dir: { dir: string; cleanup(): Promise<void> };
    let store: Store;
    let close: () => Promise<void>;
    let docker: FakeDocker;
    let engine: Engine;
    let gate: string;

    before(async () => {
      dir = await tempDir();
      ({ store, cleanup: close } = await createTestStore(kind));
      gate = path.join(dir.dir, 'slow-may-end');
      docker = await startFakeDocker({ images: ['alpine:3'] });
      const { holder } = await loadRegistry(dir.dir, [
        { name: 'quick', execution_type: 'noop' },
        // Holds the one slot until the test lets it go: a worker looks again at its heartbeat, seconds apart.
        {
          name: 'slow',
          execution_type: 'shell',
          runner_config: { command: ['/bin/sh', '-c', `until [ -e '${gate}' ]; do sleep 0.05; done`] },
          security_policy: { allowed_commands: ['/bin/sh'] },
        },
        {
          name: 'thumbs',
          execution_type: 'docker',
          runner_config: { image: 'alpine:3', socket_path: docker.socketPath },
          security_policy: { allowed_images: ['alpine:3'] },
          retry_config: { max_retries: 0 },
        },
      ]);
      engine = new Engine({
        store,
        registry: holder,
        concurrency: 1,
        cannotRunCheckMs: 50,
        env: { PATH: process.env.PATH },
        pollMs: 20,
        schedules: false,
        maintenance: false,
      });
    });

    after(async () => {
      await engine.stop({ graceMs: 0 });
      await docker.close();
      await close();
      await dir.cleanup();
    });

    test('left pending, no attempt spent, no container made', async () => {
      await engine.start();
      // Enough short runs for the worker to trust they are short and claim ahead.
      const quick: number[] = [];
      for (let i = 0; i < 20; i++) quick.push(await enqueueOne(store, 'quick', 'noop', 1));
      for (const id of quick) await waitForStatus(store, id, 'completed');
      const [slow, thumbs] = await store.enqueue([
        { queue: 'default', service_name: 'slow', execution_type: 'shell', max_attempts: 1, payload: {} },
        { queue: 'default', service_name: 'thumbs', execution_type: 'docker', max_attempts: 1, payload: {} },
      ]);
      assert.ok(slow && thumbs);
      await waitFor('both claimed, the slow one running and the Docker one waiting for the slot', async () => {
        const [a, b] = await Promise.all([jobOf(store, slow.id), jobOf(store, thumbs.id)]);
        return a.status === 'running' && b.status === 'running';
      });
      await docker.close();
      await waitFor('a look to find the daemon away', () => engine.declinedServices().includes('thumbs'));
      await writeFile(gate, '');
      await waitForStatus(store, slow.id, 'completed');
      const job = await waitFor('the Docker job handed back', async () => {
        const j = await jobOf(store, thumbs.id);
        return j.status !== 'running' && j;
      });
      assert.deepEqual([job.status, job.attempts, job.error_message ?? null], ['pending', 0, null]);
      assert.deepEqual(await store.listAttempts(thumbs.id), [], 'never started: no attempt recorded');
      assert.equal(docker.calls.filter((c) => c.path.startsWith('/containers/create')).length, 0, 'no container made');
    });
  });
}
