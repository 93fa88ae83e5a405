import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkerInfo, type WorkerCannotRun } from '../../shared/domain.ts';
import type { RegistryHolder } from '../config/holder.ts';
import type { Store } from '../store/store.ts';
import { createTestStore } from '../store/testing/testStore.ts';
import { Engine } from './engine.ts';
import { loadRegistry, tempDir, waitFor } from './testing/harness.ts';
import { heldProbe } from './testing/heldProbe.ts';

/**
 * A worker's record of what it cannot run says at once what needs no probe (a variable unset, the registry's
 * own check), at its start and after a reload, and the rest once the probes answer: an operator reading
 * `opsdeck workers` or the Runners page never waits on a Docker daemon for a missing variable, nor reads the
 * registry before the reload while its claims already go by the new one.
 */
for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a worker says what it cannot run without waiting on its slowest probe (${kind})`, () => {
    let dir: { dir: string; cleanup(): Promise<void> };
    let store: Store;
    let close: () => Promise<void>;
    let holder: RegistryHolder;
    let engine: Engine;
    let docker: ReturnType<typeof heldProbe>;
    let socket: string;

    const record = async (): Promise<WorkerCannotRun | null> => {
      const row = (await store.listWorkers(60_000)).map((w) => WorkerInfo.parse(w)).find((w) => w.id === engine.workerId);
      return row?.cannot_run ?? null;
    };
    const lackOf = (r: WorkerCannotRun | null, service: string) => r?.services.find((s) => s.service === service);
    const thumbs = () => ({ name: 'thumbs', execution_type: 'docker', runner_config: { image: 'alpine:3', socket_path: socket }, security_policy: { allowed_images: ['alpine:3'] } });

    before(async () => {
      dir = await tempDir();
      ({ store, cleanup: close } = await createTestStore(kind));
      // No daemon behind it: once the probe is let go, the socket is missing, certainly away.
      socket = path.join(dir.dir, 'no-daemon.sock');
      docker = heldProbe('docker');
      ({ holder } = await loadRegistry(dir.dir, [
        { name: 'fine', execution_type: 'noop' },
        {
          name: 'billing',
          execution_type: 'shell',
          runner_config: { command: ['/bin/echo', 'billed'], env: ['SAID_BILLING_KEY'] },
          security_policy: { allowed_commands: ['/bin/echo'] },
        },
        thumbs(),
      ]));
      engine = new Engine({ store, registry: holder, runners: docker.runners, env: { PATH: process.env.PATH }, pollMs: 20, cannotRunCheckMs: 100, schedules: false, maintenance: false });
      await engine.start();
    });

    after(async () => {
      docker.answer();
      await engine.stop({ graceMs: 0 });
      await close();
      await dir.cleanup();
    });

    test('at start: the unset variable is on the row while the Docker probe has not answered; the daemon once it has', async () => {
      const first = await waitFor('the first record, the Docker probe unanswered', async () => lackOf(await record(), 'billing') && (await record()));
      assert.deepEqual(lackOf(first, 'billing'), { service: 'billing', execution_type: 'shell', unset: ['SAID_BILLING_KEY'], docker: null, other: [], declined: true });
      assert.deepEqual(first.probing, ['docker']);
      assert.equal(lackOf(first, 'thumbs'), undefined, 'nothing said of the daemon before its probe answered');
      assert.equal(first.looks_every_ms, 100, 'the interval this worker looks again at');
      assert.equal(docker.asked(), 1);

      docker.answer();
      const whole = await waitFor('the whole look', async () => lackOf(await record(), 'thumbs') && (await record()));
      assert.equal(whole.probing, undefined);
      assert.match(lackOf(whole, 'thumbs')?.docker ?? '', /Docker daemon at .*no-daemon\.sock not answering \(ENOENT\)/);
      assert.equal(lackOf(whole, 'thumbs')?.declined, true);
      assert.deepEqual(engine.declinedServices(), ['billing', 'thumbs']);
    });

    test('after a reload, while a look of the registry before waits on the Docker probe: the new registry on the row at once', async () => {
      docker.hold();
      const asked = docker.asked();
      await waitFor('a later look to wait on the Docker probe', () => docker.asked() > asked);
      const file = path.join(dir.dir, 'reloaded.yaml');
      await writeFile(
        file,
        JSON.stringify({
          services: [
            { name: 'fine', execution_type: 'noop' },
            {
              name: 'payroll',
              execution_type: 'shell',
              runner_config: { command: ['/bin/echo', 'paid'], env: ['SAID_PAYROLL_KEY'] },
              security_policy: { allowed_commands: ['/bin/echo'] },
            },
            thumbs(),
          ],
        }),
      );
      assert.equal((await holder.loadFile(file)).ok, true);
      const reloaded = await waitFor('the reloaded registry on the row', async () => lackOf(await record(), 'payroll') && (await record()));
      assert.equal(lackOf(reloaded, 'billing'), undefined, 'the service the reload took away is no longer said');
      assert.deepEqual(lackOf(reloaded, 'payroll')?.unset, ['SAID_PAYROLL_KEY']);
      // The daemon is said as the claims take it meanwhile: away, by its socket, as the last look found it.
      assert.deepEqual([lackOf(reloaded, 'thumbs')?.declined, /not answering \(ENOENT\)/.test(lackOf(reloaded, 'thumbs')?.docker ?? '')], [true, true]);
      assert.deepEqual(engine.declinedServices(), ['payroll', 'thumbs']);
      assert.ok(reloaded.probing?.includes('docker'), 'the new registry is not looked at yet');
      // Still to answer, not run out of its wait: the fleet's advice tells to start the daemon a look found missing (api/fleetLacks.ts).
      assert.equal(reloaded.unanswered, undefined);

      docker.answer();
      const whole = await waitFor('the reloaded registry looked at whole', async () => {
        const r = await record();
        return r !== null && r.probing === undefined && lackOf(r, 'payroll') !== undefined && r;
      });
      assert.deepEqual(
        whole.services.map((s) => [s.service, s.declined]),
        [
          ['payroll', true],
          ['thumbs', true],
        ],
      );
    });

    test('a reload refused keeps the registry in use, and its record never takes the refused file\'s warnings for its services', async () => {
      // Its looks must end for a record after the load: run alone, no test before let the Docker probe go.
      docker.answer();
      const refused = path.join(dir.dir, 'refused.yaml');
      // Its first service's command is off its allowlist (a warning: "its jobs will fail"), and its second is no service at all.
      await writeFile(
        refused,
        JSON.stringify({
          services: [
            { name: 'fine', execution_type: 'shell', runner_config: { command: ['/bin/echo'] }, security_policy: { allowed_commands: ['/bin/true'] } },
            { name: 'broken', execution_type: 'teleport' },
          ],
        }),
      );
      const load = await holder.loadFile(refused);
      assert.equal(load.ok, false);
      assert.ok(load.problems.some((p) => p.path.startsWith('services[0].') && p.message.endsWith('its jobs will fail')), JSON.stringify(load.problems));
      const since = Date.now();
      const later = await waitFor('a look after the refused load', async () => {
        const r = await record();
        return r !== null && Date.parse(r.checked_at) > since + 200 && r;
      });
      assert.equal(lackOf(later, 'fine'), undefined, JSON.stringify(later));
    });
  });
}
