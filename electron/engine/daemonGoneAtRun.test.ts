import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { WorkerInfo } from '../../shared/domain.ts';
import { lineLogger } from '../log/logger.ts';
import type { Store } from '../store/store.ts';
import { createTestStore } from '../store/testing/testStore.ts';
import { startFakeDocker, type FakeDocker } from '../runners/testing/fakeDocker.ts';
import { Engine } from './engine.ts';
import { enqueueOne, jobOf, loadRegistry, tempDir, waitFor } from './testing/harness.ts';
import { heldProbe } from './testing/heldProbe.ts';

/**
 * The Docker daemon dies between two looks and a job of it starts: its run finds the socket missing before
 * any container is made. The job goes back unrun, no attempt spent (out of retries it went to the dead-letter
 * queue, while a worker whose daemon answers could run it), and the worker leaves the daemon out of its
 * claims at once, not at its next look, so it does not claim the job and hand it back again and again.
 */
for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a Docker job started just after its daemon died goes back unrun (${kind})`, () => {
    let cleanups: Array<() => Promise<unknown>>;
    let store: Store;
    let docker: FakeDocker;
    let engine: Engine;
    let noop: ReturnType<typeof heldProbe>;
    let lines: string[];
    let claimed: number;
    const handedBack = () => lines.filter((line) => line.startsWith('debug job handed back, attempt not spent '));

    beforeEach(async () => {
      cleanups = [];
      const dir = await tempDir();
      cleanups.push(() => dir.cleanup());
      const made = await createTestStore(kind);
      store = made.store;
      cleanups.push(() => made.cleanup());
      docker = await startFakeDocker({ images: ['alpine:3'] });
      cleanups.push(() => docker.close());
      const { holder } = await loadRegistry(dir.dir, [
        { name: 'smoke', execution_type: 'noop' },
        {
          name: 'thumbs',
          execution_type: 'docker',
          runner_config: { image: 'alpine:3', socket_path: docker.socketPath },
          security_policy: { allowed_images: ['alpine:3'] },
          retry_config: { max_retries: 0 },
        },
      ]);
      // Each test says when the noop probe answers: at once, or not while it runs (a lookup that takes its time).
      noop = heldProbe('noop');
      cleanups.push(async () => noop.answer());
      lines = [];
      // The next look is a minute away: only the run can find the daemon gone in time.
      engine = new Engine({
        store,
        registry: holder,
        runners: noop.runners,
        log: lineLogger((line) => lines.push(line)),
        cannotRunCheckMs: 60_000,
        env: { PATH: process.env.PATH },
        pollMs: 20,
        schedules: false,
        maintenance: false,
      });
      cleanups.push(() => engine.stop({ graceMs: 0 }));
      claimed = 0;
      engine.on('claimed', ({ count }) => {
        claimed += count;
      });
    });

    afterEach(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    /** What the worker's record on its row says of the service, once a look has said something of it. */
    const recordOf = (service: string) =>
      waitFor(`the worker's record to say ${service}`, async () => {
        const row = (await store.listWorkers(60_000)).map((w) => WorkerInfo.parse(w)).find((w) => w.id === engine.workerId);
        return row?.cannot_run?.services.find((s) => s.service === service);
      });

    /** Closes the daemon, enqueues a job of it, and waits for the job to be handed back unrun: its id. */
    const handBackAfterDaemonDies = async () => {
      await docker.close();
      const id = await enqueueOne(store, 'thumbs', 'docker', 1);
      await waitFor('the daemon left out of the claims', () => engine.declinedServices().includes('thumbs'));
      const job = await waitFor('the job handed back', async () => {
        const j = await jobOf(store, id);
        return j.status === 'pending' && handedBack().length > 0 && j;
      });
      assert.deepEqual([job.attempts, job.error_message ?? null, job.started_at ?? null], [0, null, null]);
      assert.deepEqual(await store.listAttempts(id), [], 'nothing ran: no attempt to show');
      assert.equal(job.resource_usage ?? null, null, 'nor a duration or usage of a run that never was');
      // Said at the default level: a daemon that answers the looks but not the runs would go unseen otherwise.
      assert.ok(
        lines.some((line) => new RegExp(`^warn job handed back unrun: this worker cannot run its service now worker=\\S+ job_id=${id} service=thumbs met="Docker daemon at `).test(line)),
        lines.join('\n'),
      );
      // The job's own log line says why it went back, as every hand-back's does.
      assert.match(
        handedBack()[0] ?? '',
        new RegExp(`job_id=${id} .*reason="service thumbs cannot run on this worker: Docker daemon at \\S+ not answering \\(ENOENT\\) while inspecting image alpine:3; handed back for a worker that can"`),
      );
      return id;
    };

    test('pending, no attempt spent, no error; a look starts at once and the worker\'s record says the daemon away', async () => {
      noop.answer();
      await engine.start();
      assert.deepEqual(engine.declinedServices(), [], 'the daemon answered the first look');
      await handBackAfterDaemonDies();
      const record = await recordOf('thumbs');
      assert.match(record.docker ?? '', /^Docker daemon at \S+ not answering \(ENOENT\)$/, 'the look\'s own words');
      assert.equal(record.declined, true);
    });

    test('while a look waits on another kind\'s probe: left out of the claims at once all the same, and claimed once', async () => {
      // Its first look stays under way, the daemon answering and the noop probe not, beyond the start's wait.
      await engine.start();
      assert.deepEqual(engine.declinedServices(), [], 'the daemon answered');
      const id = await handBackAfterDaemonDies();
      // Many claims' worth of polls later, still pending and never claimed again.
      await new Promise((resolve) => setTimeout(resolve, 400));
      const still = await jobOf(store, id);
      assert.deepEqual([still.status, still.attempts], ['pending', 0]);
      assert.equal(claimed, 1, 'claimed once, then left out');
      assert.equal(handedBack().length, 1);
      assert.equal(noop.asked(), 1, 'the look under way still waits on the noop probe');

      // That look heard the daemon before it died: the one asked for meanwhile follows it, and says it away.
      noop.answer();
      assert.equal((await recordOf('thumbs')).declined, true);
    });
  });
}
