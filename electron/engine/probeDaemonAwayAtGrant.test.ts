import assert from 'node:assert/strict';
import { symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import type { BreakerRecord } from '../../shared/domain.ts';
import type { RegistryHolder } from '../config/holder.ts';
import type { Store } from '../store/store.ts';
import { createTestStore } from '../store/testing/testStore.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { startFakeDocker, type FakeDocker } from '../runners/testing/fakeDocker.ts';
import { Engine } from './engine.ts';
import { enqueueOne, jobOf, loadRegistry, tempDir, waitFor } from './testing/harness.ts';

/**
 * A job of a half-open breaker runs as its probe once the store grants it the probe slot, a round trip
 * after it was claimed. A look that found its Docker daemon away meanwhile sends it back unstarted, no
 * attempt spent, its slot freed for a worker whose daemon answers: the daemon is checked again as the slot
 * is granted. Here the daemon comes back before the next look would say so, so a probe that skipped that
 * check would run, where this worker's own look said it cannot.
 */
for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a breaker's probe job whose daemon a look found away while its slot was granted goes back unstarted (${kind})`, () => {
    let cleanups: Array<() => Promise<unknown>>;
    let store: Store;
    let docker: FakeDocker;
    /** The daemon that answers at the service's socket once the store grants the slot. */
    let answering: FakeDocker | null;
    let holder: RegistryHolder;
    let file: string;
    let socket: string;
    let engine: Engine;
    let granting: Promise<void> | null;

    beforeEach(async () => {
      cleanups = [];
      const dir = await tempDir();
      cleanups.push(() => dir.cleanup());
      const made = await createTestStore(kind);
      store = made.store;
      cleanups.push(() => made.cleanup());
      docker = await startFakeDocker({ images: ['alpine:3'] });
      cleanups.push(() => docker.close());
      // The service's socket is a link to a daemon: the one behind it goes, and another comes back.
      answering = null;
      cleanups.push(async () => answering?.close());
      socket = path.join(dir.dir, 'docker.sock');
      await symlink(docker.socketPath, socket);
      ({ holder, file } = await loadRegistry(dir.dir, [
        {
          name: 'thumbs',
          execution_type: 'docker',
          runner_config: { image: 'alpine:3', socket_path: socket },
          security_policy: { allowed_images: ['alpine:3'] },
          retry_config: { max_retries: 0 },
          circuit_breaker: { failure_threshold: 1, minimum_volume: 1, recovery_timeout: 60, window: 60, half_open_probes: 1 },
        },
      ]));
      const halfOpen: BreakerRecord = { ...newBreakerRecord('thumbs', new Date()), state: 'half_open', opened_at: new Date().toISOString(), left_closed_at: new Date().toISOString(), version: 1 };
      assert.equal(await store.saveBreaker(halfOpen, { from: 'open', to: 'half_open', reason: 'recovery timeout passed' }), true);
      granting = null;
      const watched = storeWith(store, {
        // The probe's slot is taken with a save of its breaker. Meanwhile the daemon goes, a look (asked by
        // a reload) finds it away, and a daemon answers at the socket again before the store answers.
        saveBreaker: async (record, transition) => {
          if (granting === null && record.service_name === 'thumbs' && record.probes_in_flight > 0) {
            granting = (async () => {
              await docker.close();
              assert.equal((await holder.loadFile(file)).ok, true);
              await waitFor('a look to find the daemon away', () => engine.declinedServices().includes('thumbs'));
              answering = await startFakeDocker({ images: ['alpine:3'] });
              await unlink(socket);
              await symlink(answering.socketPath, socket);
            })();
            await granting;
          }
          return store.saveBreaker(record, transition);
        },
      });
      // The next look by the interval is a minute away: only the reload's finds the socket gone.
      engine = new Engine({ store: watched, registry: holder, cannotRunCheckMs: 60_000, env: { PATH: process.env.PATH }, pollMs: 20, schedules: false, maintenance: false });
      cleanups.push(() => engine.stop({ graceMs: 0 }));
    });

    afterEach(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    test('pending, no attempt spent, no container made, the probe slot freed', async () => {
      await engine.start();
      assert.deepEqual(engine.declinedServices(), [], 'the first look heard the daemon');
      const id = await enqueueOne(store, 'thumbs', 'docker', 1);
      await waitFor('the probe slot asked for', () => granting !== null);
      await granting;
      const back = await waitFor('the probe job settled', async () => {
        const job = await jobOf(store, id);
        return job.status !== 'running' && job;
      });
      assert.deepEqual([back.status, back.attempts, back.started_at, await store.listAttempts(id)], ['pending', 0, null, []]);
      assert.equal(answering?.calls.filter((c) => c.path.startsWith('/containers/create')).length, 0, 'no container made on the daemon that came back');
      const breaker = await waitFor('the slot freed', async () => {
        const record = await store.getBreaker('thumbs');
        return record?.probes_in_flight === 0 && record;
      });
      assert.equal(breaker.state, 'half_open', 'a probe that never ran gives no verdict');
    });
  });
}
