import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { RegistryHolder } from '../config/holder.ts';
import type { Store } from '../store/store.ts';
import { createTestStore } from '../store/testing/testStore.ts';
import { startFakeDocker, type FakeDocker } from '../runners/testing/fakeDocker.ts';
import { Engine } from './engine.ts';
import { enqueueOne, jobOf, loadRegistry, tempDir, waitFor, waitForStatus } from './testing/harness.ts';

/**
 * Jobs claimed ahead of w1's one slot, held by a long job, when w1 comes to leave their service out of its
 * claims (its look finds the Docker daemon gone, a reload names a variable unset there): they go back at
 * once, for a worker that can run them, while the slot is still held. Kept until the slot freed, they
 * showed running on a worker that could not run them while another sat idle.
 */

/** The same services on each server, with its own Docker daemon; `billingEnv`: the variables billing's jobs read. */
function services(gate: string, socket: string, billingEnv: string[] = []) {
  return [
    { name: 'quick', execution_type: 'noop' },
    {
      name: 'slow',
      execution_type: 'shell',
      runner_config: { command: ['/bin/sh', '-c', `until [ -e '${gate}' ]; do sleep 0.05; done`] },
      security_policy: { allowed_commands: ['/bin/sh'] },
    },
    {
      name: 'thumbs',
      execution_type: 'docker',
      runner_config: { image: 'alpine:3', socket_path: socket },
      security_policy: { allowed_images: ['alpine:3'] },
      retry_config: { max_retries: 0 },
    },
    {
      name: 'billing',
      execution_type: 'shell',
      runner_config: { command: ['/bin/echo', 'billed'], env: billingEnv },
      security_policy: { allowed_commands: ['/bin/echo'] },
    },
  ];
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`jobs claimed ahead go back as soon as their worker leaves their service out, not when a slot frees (${kind})`, () => {
    let cleanups: Array<() => Promise<unknown>>;
    let store: Store;
    let gate: string;
    let dir: string;
    let docker1: FakeDocker;
    let docker2: FakeDocker;
    let w1Registry: RegistryHolder;
    let w1: Engine;
    let w2: Engine;

    beforeEach(async () => {
      cleanups = [];
      const temp = await tempDir();
      cleanups.push(() => temp.cleanup());
      dir = temp.dir;
      const made = await createTestStore(kind);
      store = made.store;
      cleanups.push(() => made.cleanup());
      gate = path.join(dir, 'slow-may-end');
      docker1 = await startFakeDocker({ images: ['alpine:3'] });
      docker2 = await startFakeDocker({ images: ['alpine:3'] });
      cleanups.push(() => docker1.close(), () => docker2.close());
      const base = { store, concurrency: 1, cannotRunCheckMs: 50, env: { PATH: process.env.PATH }, pollMs: 20, schedules: false, maintenance: false };
      w1Registry = (await loadRegistry(dir, services(gate, docker1.socketPath))).holder;
      w1 = new Engine({ ...base, workerName: 'w1', registry: w1Registry });
      w2 = new Engine({ ...base, workerName: 'w2', registry: (await loadRegistry(dir, services(gate, docker2.socketPath))).holder });
      cleanups.push(() => w2.stop({ graceMs: 0 }), () => w1.stop({ graceMs: 0 }), () => writeFile(gate, ''));
    });

    afterEach(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    /** w1 alone, trusting its jobs are short, runs the slow job in its one slot with a job of `service` claimed ahead: the slow job's id. */
    const holdSlotWithOneAhead = async (service: string, kindOf: 'docker' | 'shell'): Promise<{ slow: number; ahead: number }> => {
      await w1.start();
      const quick: number[] = [];
      for (let i = 0; i < 20; i++) quick.push(await enqueueOne(store, 'quick', 'noop', 1));
      for (const id of quick) await waitForStatus(store, id, 'completed');
      const [slow, ahead] = await store.enqueue([
        { queue: 'default', service_name: 'slow', execution_type: 'shell', max_attempts: 1, payload: {} },
        { queue: 'default', service_name: service, execution_type: kindOf, max_attempts: 1, payload: {} },
      ]);
      assert.ok(slow && ahead);
      await waitFor(`both leased to w1, the slow one running and the ${service} one waiting for the slot`, async () => {
        const [a, b] = await Promise.all([jobOf(store, slow.id), jobOf(store, ahead.id)]);
        return a.status === 'running' && b.status === 'running' && a.lease_owner === w1.workerId && b.lease_owner === w1.workerId;
      });
      return { slow: slow.id, ahead: ahead.id };
    };

    test('a Docker job whose daemon w1 finds gone: w2, whose daemon answers, runs it while the long job still holds w1\'s slot', async () => {
      const { slow, ahead } = await holdSlotWithOneAhead('thumbs', 'docker');
      await docker1.close();
      await w2.start();

      const done = await waitForStatus(store, ahead, 'completed');
      assert.equal(done.attempts, 1);
      assert.deepEqual((await store.listAttempts(ahead)).map((a) => a.worker_id), [w2.workerId], 'run on w2 alone, never started on w1');
      assert.equal(docker2.containers.size, 1);
      const held = await jobOf(store, slow);
      assert.deepEqual([held.status, held.lease_owner], ['running', w1.workerId], 'w1\'s slot still held');
    });

    test('a reload that names a variable w1 lacks for a job it claimed ahead: the job goes back unstarted while the slot is held', async () => {
      const { slow, ahead } = await holdSlotWithOneAhead('billing', 'shell');
      const reloaded = path.join(dir, 'billing-reads-a-key.yaml');
      await writeFile(reloaded, JSON.stringify({ services: services(gate, docker1.socketPath, ['CLAIMED_AHEAD_BILLING_KEY']) }));
      assert.equal((await w1Registry.loadFile(reloaded)).ok, true);
      const back = await waitFor('the job handed back', async () => {
        const job = await jobOf(store, ahead);
        return job.status !== 'running' && job;
      });
      assert.deepEqual([back.status, back.attempts, await store.listAttempts(ahead)], ['pending', 0, []]);
      assert.equal((await jobOf(store, slow)).status, 'running', 'w1\'s slot still held');
    });
  });
}
