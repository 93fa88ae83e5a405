import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import type { BreakerRecord } from '../../shared/domain.ts';
import type { RegistryHolder } from '../config/holder.ts';
import type { Store } from '../store/store.ts';
import { createTestStore } from '../store/testing/testStore.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { Engine } from './engine.ts';
import { enqueueOne, jobOf, loadRegistry, tempDir, waitFor } from './testing/harness.ts';

/**
 * A job of a half-open breaker runs as its probe once the store grants it the probe slot, a round trip
 * after it was claimed. A reload that took meanwhile decides how it runs, or whether it runs here: it
 * starts with the settings of the registry in use, never those of its claim; it goes back unstarted, no
 * attempt spent and its slot freed without a verdict, when that registry drops its service or reads a
 * variable unset here. So it does when an upstream's 429 paused its service for the fleet meanwhile.
 */

/** The service's settings: what it echoes, and the variables it reads. */
function report(echo: string, env: string[] = []) {
  return {
    name: 'report',
    execution_type: 'shell',
    runner_config: { command: ['/bin/echo', echo], ...(env.length > 0 ? { env } : {}) },
    security_policy: { allowed_commands: ['/bin/echo'] },
    retry_config: { max_retries: 0 },
    circuit_breaker: { failure_threshold: 1, minimum_volume: 1, recovery_timeout: 60, window: 60, half_open_probes: 1 },
  };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a reload or a pause while a breaker's probe slot is granted (${kind})`, () => {
    let cleanups: Array<() => Promise<unknown>>;
    let store: Store;
    let dir: string;
    let holder: RegistryHolder;
    let engine: Engine;
    /** What happens while the store grants the probe slot, once. */
    let meanwhile: (() => Promise<void>) | null;
    let granting: Promise<void> | null;
    /** Resolved once the engine has read a pause of the service from the store. */
    let pauseRead: PromiseWithResolvers<undefined>;

    beforeEach(async () => {
      cleanups = [];
      const temp = await tempDir();
      cleanups.push(() => temp.cleanup());
      dir = temp.dir;
      const made = await createTestStore(kind);
      store = made.store;
      cleanups.push(() => made.cleanup());
      ({ holder } = await loadRegistry(dir, [{ name: 'quick', execution_type: 'noop' }, report('as claimed')]));
      const halfOpen: BreakerRecord = { ...newBreakerRecord('report', new Date()), state: 'half_open', opened_at: new Date().toISOString(), left_closed_at: new Date().toISOString(), version: 1 };
      assert.equal(await store.saveBreaker(halfOpen, { from: 'open', to: 'half_open', reason: 'recovery timeout passed' }), true);
      meanwhile = null;
      granting = null;
      pauseRead = Promise.withResolvers<undefined>();
      // The probe's slot is taken with a save of its breaker: what the test names happens before the store answers.
      const watched = storeWith(store, {
        saveBreaker: async (record, transition) => {
          if (granting === null && meanwhile !== null && record.service_name === 'report' && record.probes_in_flight > 0) {
            granting = meanwhile();
            await granting;
          }
          return store.saveBreaker(record, transition);
        },
        listServicePauses: async () => {
          const pauses = await store.listServicePauses();
          if (pauses.some((p) => p.service_name === 'report')) setImmediate(() => pauseRead.resolve(undefined));
          return pauses;
        },
      });
      engine = new Engine({ store: watched, registry: holder, env: { PATH: process.env.PATH }, pollMs: 20, schedules: false, maintenance: false });
      cleanups.push(() => engine.stop({ graceMs: 0 }));
    });

    afterEach(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    const reload = async (name: string, services: unknown[]) => {
      const file = path.join(dir, name);
      await writeFile(file, JSON.stringify({ services }));
      assert.equal((await holder.loadFile(file)).ok, true);
    };

    /** The probe job enqueued once the slot is asked for and `during` is done. */
    const probeWith = async (during: () => Promise<void>): Promise<number> => {
      meanwhile = during;
      await engine.start();
      const id = await enqueueOne(store, 'report', 'shell', 1);
      await waitFor('the probe slot asked for', () => granting !== null);
      await granting;
      return id;
    };

    /** Handed back unstarted: pending, no attempt spent, and the breaker's probe slot freed without a verdict. */
    const handedBack = async (id: number) => {
      const back = await waitFor('the probe job settled', async () => {
        const job = await jobOf(store, id);
        return job.status !== 'running' && job;
      });
      assert.deepEqual([back.status, back.attempts, back.started_at, await store.listAttempts(id)], ['pending', 0, null, []]);
      const breaker = await waitFor('the slot freed', async () => {
        const record = await store.getBreaker('report');
        return record?.probes_in_flight === 0 && record;
      });
      assert.equal(breaker.state, 'half_open', 'a probe that never ran gives no verdict');
    };

    test('a reload that changes its command: the probe runs the new one', async () => {
      const id = await probeWith(() => reload('changed.yaml', [{ name: 'quick', execution_type: 'noop' }, report('as reloaded')]));
      const done = await waitFor('the probe job settled', async () => {
        const job = await jobOf(store, id);
        return job.status !== 'running' && job.status !== 'pending' && job;
      });
      assert.equal(done.status, 'completed');
      const [attempt] = await store.listAttempts(id);
      assert.match(attempt?.output_tail ?? '', /as reloaded/);
    });

    test('a reload that drops its service: back unstarted, no attempt spent, the slot freed', async () => {
      const id = await probeWith(() => reload('dropped.yaml', [{ name: 'quick', execution_type: 'noop' }]));
      await handedBack(id);
    });

    test('an upstream\'s 429 pauses its service for the fleet: back unstarted, no attempt spent, the slot freed', async () => {
      const id = await probeWith(async () => {
        await store.pauseService('report', new Date(Date.now() + 60_000), 'the upstream answered 429 with Retry-After 60s');
        await pauseRead.promise;
      });
      await handedBack(id);
    });

    test('a reload that has it read a variable unset here: back unstarted, no attempt spent, the slot freed', async () => {
      const id = await probeWith(() => reload('unset.yaml', [{ name: 'quick', execution_type: 'noop' }, report('as reloaded', ['GRANT_TEST_UNSET_KEY'])]));
      await handedBack(id);
    });
  });
}
