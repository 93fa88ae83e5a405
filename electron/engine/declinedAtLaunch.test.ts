import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RegistryHolder } from '../config/holder.ts';
import type { Store } from '../store/store.ts';
import { createTestStore } from '../store/testing/testStore.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { Engine } from './engine.ts';
import { enqueueOne, jobOf, loadRegistry, tempDir, waitFor } from './testing/harness.ts';

const KEY = 'LAUNCH_BILLING_KEY';

/**
 * A claim leaves out what the registry it claims under says this worker cannot run, but a reload may take
 * while the claim's answer is on its way: the jobs then run with the new registry's settings. A service
 * the new registry makes read a variable this worker lacks goes back unrun for a worker that has it,
 * rather than failing here into the dead-letter queue.
 */
for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a job claimed just before a reload that makes it unrunnable here goes back unrun (${kind})`, () => {
    let dir: { dir: string; cleanup(): Promise<void> };
    let store: Store;
    let close: () => Promise<void>;
    let holder: RegistryHolder;
    let engine: Engine | null = null;

    before(async () => {
      dir = await tempDir();
      ({ store, cleanup: close } = await createTestStore(kind));
      const billing = (env: string[]) => ({
        name: 'billing',
        execution_type: 'shell',
        runner_config: { command: ['/bin/echo', 'billed'], env },
        security_policy: { allowed_commands: ['/bin/echo'] },
        retry_config: { max_retries: 0 },
      });
      ({ holder } = await loadRegistry(dir.dir, [billing([])]));
      const reloaded = path.join(dir.dir, 'with-key.yaml');
      await writeFile(reloaded, JSON.stringify({ services: [billing([KEY])] }));
      let reloadedOnce = false;
      const watched = storeWith(store, {
        claim: async (request) => {
          const claimed = await store.claim(request);
          // The reload takes between the claim's commit and its answer reaching the dispatcher.
          if (!reloadedOnce && claimed.some((j) => j.service_name === 'billing')) {
            reloadedOnce = true;
            assert.equal((await holder.loadFile(reloaded)).ok, true);
          }
          return claimed;
        },
      });
      engine = new Engine({ store: watched, registry: holder, env: { PATH: process.env.PATH }, pollMs: 20, schedules: false, maintenance: false });
    });

    after(async () => {
      await engine?.stop({ graceMs: 0 });
      await close();
      await dir.cleanup();
    });

    test('not run, not failed: pending with its attempt still to come, and left out of the claims after', async () => {
      const id = await enqueueOne(store, 'billing', 'shell', 1);
      await engine?.start();
      await waitFor('the reload during the claim', () => holder.path?.endsWith('with-key.yaml'));
      const settled = await waitFor('the claimed job to be settled', async () => {
        const job = await jobOf(store, id);
        return job.status !== 'running' && job;
      });
      assert.deepEqual([settled.status, settled.attempts, settled.error_message ?? null], ['pending', 0, null]);
      // Many claims later it is still left alone.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await jobOf(store, id)).status, 'pending');
      assert.deepEqual(await store.listAttempts(id), [], 'handed back unstarted: no attempt is recorded');
      assert.deepEqual(engine?.declinedServices(), ['billing']);
    });
  });
}
