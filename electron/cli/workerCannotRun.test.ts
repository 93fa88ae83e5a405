import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { WorkerInfo } from '../../shared/domain.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';
import { startFakeDocker, type FakeDocker } from '../runners/testing/fakeDocker.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { Engine } from '../engine/engine.ts';
import { enqueueOne, jobOf, loadRegistry, tempDir, waitFor, waitForStatus } from '../engine/testing/harness.ts';

/**
 * Two workers on one store, on "two servers": one has the variable the billing service's secret is named by
 * and the other not, and both reach the Docker daemon through a socket the test takes away and gives back.
 * Each says on its row what it cannot run, leaves those jobs to the other, and the CLI says which is which.
 */
for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`workers say what they cannot run (${kind})`, () => {
    let dir: { dir: string; cleanup(): Promise<void> };
    let pg: TestDatabase | null = null;
    let url: string;
    let store: Store;
    let registryFile: string;
    let docker: FakeDocker;
    let socket: string;
    let withKey: Engine;
    let withoutKey: Engine;

    /** The daemon's socket as the registry names it: a link to the fake's, taken away to stop "the daemon". */
    const giveDocker = async (fake: FakeDocker) => {
      docker = fake;
      await symlink(fake.socketPath, socket);
    };

    const lacksOf = async (engine: Engine) => {
      const row = (await store.listWorkers(60_000)).map((w) => WorkerInfo.parse(w)).find((w) => w.id === engine.workerId);
      return row?.cannot_run ?? null;
    };
    const cli = (...args: string[]) => opsdeck([...args, '--db', url, '--registry', registryFile], { NO_COLOR: '1', COLUMNS: '400' });

    before(async () => {
      dir = await tempDir();
      if (kind === 'postgres') {
        pg = await createTestDatabase({ migrated: true });
        url = pg.url;
      } else {
        url = path.join(dir.dir, 'caps.db');
        ok(await opsdeck(['migrate', '--db', url]));
      }
      store = await openStore(url);
      socket = path.join(dir.dir, 'docker.sock');
      await giveDocker(await startFakeDocker({ images: ['alpine:3'] }));
      const loaded = await loadRegistry(dir.dir, [
        { name: 'fine', execution_type: 'noop' },
        {
          name: 'billing',
          execution_type: 'shell',
          runner_config: { command: ['/bin/echo', 'billed'], env: ['CAPS_BILLING_KEY'] },
          security_policy: { allowed_commands: ['/bin/echo'] },
          retry_config: { max_retries: 0 },
        },
        {
          name: 'thumbs',
          execution_type: 'docker',
          runner_config: { image: 'alpine:3', command: ['thumbnail'], socket_path: socket },
          security_policy: { allowed_images: ['alpine:3'] },
          retry_config: { max_retries: 0 },
        },
      ]);
      registryFile = loaded.file;
      const base = { store, registry: loaded.holder, pollMs: 20, concurrency: 2, cannotRunCheckMs: 200, schedules: false, maintenance: false };
      withKey = new Engine({ ...base, workerName: 'w1', env: { PATH: process.env.PATH, CAPS_BILLING_KEY: 'k-1' } });
      withoutKey = new Engine({ ...base, workerName: 'w2', env: { PATH: process.env.PATH } });
      await Promise.all([withKey.start(), withoutKey.start()]);
    });

    after(async () => {
      await withKey.stop({ graceMs: 0 });
      await withoutKey.stop({ graceMs: 0 });
      await store.close();
      await docker.close();
      await pg?.drop();
      await dir.cleanup();
    });

    test('each worker writes what it lacks with its heartbeat: variable names only, nothing once checked', async () => {
      const lacking = await waitFor('w2 to say it lacks the variable', async () => (await lacksOf(withoutKey))?.services.find((s) => s.service === 'billing'));
      assert.deepEqual(lacking, { service: 'billing', execution_type: 'shell', unset: ['CAPS_BILLING_KEY'], docker: null, other: [], declined: true });
      // "Nothing" only from a whole look: a record made before the Docker probe answered says it is to come.
      const fine = await waitFor('w1 to say it lacks nothing', async () => {
        const record = await lacksOf(withKey);
        return record?.probing === undefined && record;
      });
      assert.deepEqual(fine.services, []);
      assert.doesNotMatch(JSON.stringify(await store.listWorkers(60_000)), /k-1/, 'never a value');
    });

    test('jobs of a service whose variable a worker lacks go to the worker that has it, none fails', async () => {
      const ids = await Promise.all([1, 2, 3, 4].map(() => enqueueOne(store, 'billing', 'shell', 1)));
      for (const id of ids) {
        await waitForStatus(store, id, 'completed');
        assert.deepEqual((await store.listAttempts(id)).map((a) => a.worker_id), [withKey.workerId]);
      }
    });

    test('the Docker daemon gone from both: its jobs wait, every surface says which workers and why; back, they run', async () => {
      await rm(socket);
      await docker.close();
      const gone = (engine: Engine) => waitFor(`${engine.workerName} to find the daemon gone`, async () => (await lacksOf(engine))?.services.find((s) => s.service === 'thumbs' && s.docker !== null));
      const [one] = await Promise.all([gone(withKey), gone(withoutKey)]);
      assert.match(one.docker ?? '', /Docker daemon at .*docker\.sock not answering \(ENOENT\)/);
      assert.equal(one.declined, true);

      const id = await enqueueOne(store, 'thumbs', 'docker', 1);
      await new Promise((r) => setTimeout(r, 600));
      const waiting = await jobOf(store, id);
      assert.deepEqual([waiting.status, waiting.attempts], ['pending', 0], 'left unclaimed, not failed');

      // The daemon is gone from this host too: the command's own probe fails, and exits 1 as health-check does.
      const probed = await cli('runners', 'docker');
      assert.equal(probed.code, 1, probed.stderr);
      const runners = probed.stdout.replaceAll(/\s+/g, ' ');
      assert.match(runners, new RegExp(`docker on worker ${withKey.workerId} \\(checked [^)]+\\): thumbs \\(not claimed there\\): Docker daemon at \\S+ not answering \\(ENOENT\\)`));
      assert.match(runners, /service thumbs cannot run on any of the 2 live workers that take queue default: Docker daemon at \S+ not answering \(ENOENT\) on all 2; none of them claims its jobs/);
      // The interval the workers look at, as they said it: these look every 200 ms.
      assert.match(runners, /start the Docker daemon or give the workers its socket: each looks again 0\.2 s after its last look\)/);

      const job = ok(await cli('job', String(id))).replaceAll(/\s+/g, ' ');
      assert.match(job, /service thumbs cannot run on any of the 2 live workers that take queue default: Docker daemon at \S+ not answering \(ENOENT\) on all 2/);

      const health = await cli('health-check', 'runner:docker');
      assert.equal(health.code, 1, health.stdout);
      // Whether each claims it beside the service's name, as opsdeck workers says it (the table cuts the rest).
      assert.match(health.stdout.replaceAll(/\s+/g, ' '), /2 of 2 live workers cannot run services of it: on worker \S+: thumbs \(not claimed there\): Docker daemon at/);

      const workers = ok(await cli('workers')).replaceAll(/\s+/g, ' ');
      assert.match(workers, new RegExp(`${withoutKey.workerId} \\(checked [^)]+\\): billing \\(not claimed there\\): environment variable CAPS_BILLING_KEY is not set; thumbs \\(not claimed there\\): Docker daemon at \\S+ not answering \\(ENOENT\\)`));

      await giveDocker(await startFakeDocker({ images: ['alpine:3'] }));
      await waitForStatus(store, id, 'completed');
      await waitFor('both to find the daemon back', async () => (await lacksOf(withKey))?.services.length === 0 && (await lacksOf(withoutKey))?.services.every((s) => s.service !== 'thumbs'));
    });

    test('with the worker that has the variable stopped, a billing job waits and says it is for want of the variable on w2', async () => {
      await withKey.stop({ graceMs: 0 });
      const id = await enqueueOne(store, 'billing', 'shell', 1);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal((await jobOf(store, id)).status, 'pending');
      const job = ok(await cli('job', String(id))).replaceAll(/\s+/g, ' ');
      assert.match(job, new RegExp(`service billing cannot run on the only live worker that takes queue default: environment variable CAPS_BILLING_KEY is not set on worker ${withoutKey.workerId}; none of them claims its jobs, which wait for a worker that can run them \\(set the variables where the workers run, then restart them\\)`));
      const all = await cli('runners');
      const runners = all.stdout.replaceAll(/\s+/g, ' ');
      assert.match(runners, /no live worker runs these services: billing \(queue default\): service billing cannot run/);
    });
  });
}
