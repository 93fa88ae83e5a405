import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRunners } from '../runners/registry.ts';
import type { Runner } from '../runners/runner.ts';
import type { Store } from '../store/store.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { createTestStore } from '../store/testing/testStore.ts';
import { Engine } from './engine.ts';
import { jobOf, loadRegistry, tempDir, waitFor } from './testing/harness.ts';

/** The noop runner, made to hold each run until `release` is called. */
function heldRunner(): { runners: ReturnType<typeof createRunners>; started: () => number; release: () => void } {
  const runners = createRunners();
  const noop = runners.get('noop');
  if (!noop) throw new Error('no noop runner');
  let started = 0;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const runner: Runner = {
    kind: 'noop',
    run: async (request) => {
      started++;
      await held;
      return noop.run(request);
    },
    probe: (s, e, c) => noop.probe(s, e, c),
  };
  runners.set('noop', runner);
  return { runners, started: () => started, release: () => release() };
}

async function enqueueOne(store: Store): Promise<number> {
  const [job] = await store.enqueue([{ queue: 'default', service_name: 'ping', execution_type: 'noop', max_attempts: 1, payload: {} }]);
  if (!job) throw new Error('nothing enqueued');
  return job.id;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`an idle worker readies the store's connections for its next job: ${kind}`, () => {
    it('asks while idle, never while a job runs', async () => {
      const { store, cleanup } = await createTestStore(kind);
      const tmp = await tempDir();
      let engine: Engine | null = null;
      const held = heldRunner();
      try {
        const { holder } = await loadRegistry(tmp.dir, [{ name: 'ping', execution_type: 'noop' }]);
        let asked = 0;
        const watched = storeWith(store, {
          warmUp: () => {
            asked++;
            return store.warmUp();
          },
        });
        engine = new Engine({ store: watched, registry: holder, runners: held.runners, concurrency: 2, pollMs: 5, maintenance: false, schedules: false });
        let claims = 0;
        engine.on('claimed', () => claims++);
        await engine.start();
        await waitFor('the idle worker to ready the store', () => asked > 0);

        const id = await enqueueOne(store);
        await waitFor('the job to start', () => held.started() === 1);
        const askedBefore = asked;
        // The free slot keeps the worker claiming, finding nothing each time, while the job runs.
        const claimsBefore = claims;
        await waitFor('ten claims beside the running job', () => claims >= claimsBefore + 10);
        assert.equal(asked, askedBefore, 'not asked while a job runs');

        held.release();
        await waitFor('the job to complete', async () => (await jobOf(store, id)).status === 'completed');
        await waitFor('the idle worker to ready the store again', () => asked > askedBefore);
      } finally {
        held.release();
        await engine?.stop({ graceMs: 0 });
        await cleanup();
        await tmp.cleanup();
      }
    });

    it('a worker run until empty does not ask: it stops once it finds nothing to do', async () => {
      const { store, cleanup } = await createTestStore(kind);
      const tmp = await tempDir();
      try {
        const { holder } = await loadRegistry(tmp.dir, [{ name: 'ping', execution_type: 'noop' }]);
        let asked = 0;
        const watched = storeWith(store, {
          warmUp: () => {
            asked++;
            return store.warmUp();
          },
        });
        await new Engine({ store: watched, registry: holder, concurrency: 2, pollMs: 5, maintenance: false, schedules: false }).runUntilEmpty();
        assert.equal(asked, 0);
      } finally {
        await cleanup();
        await tmp.cleanup();
      }
    });

    it('a worker whose warm-up fails still runs its jobs', async () => {
      const { store, cleanup } = await createTestStore(kind);
      const tmp = await tempDir();
      let engine: Engine | null = null;
      try {
        const { holder } = await loadRegistry(tmp.dir, [{ name: 'ping', execution_type: 'noop' }]);
        let failed = 0;
        const failing = storeWith(store, {
          warmUp: () => {
            failed++;
            return Promise.reject(new Error('the warm-up was refused'));
          },
        });
        engine = new Engine({ store: failing, registry: holder, concurrency: 2, pollMs: 5, maintenance: false, schedules: false });
        await engine.start();
        await waitFor('two warm-ups to fail', () => failed >= 2);
        const id = await enqueueOne(store);
        await waitFor('the job to complete', async () => (await jobOf(store, id)).status === 'completed');
      } finally {
        await engine?.stop({ graceMs: 0 });
        await cleanup();
        await tmp.cleanup();
      }
    });
  });
}
