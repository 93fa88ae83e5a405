import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { RegistryHolder } from '../config/holder.ts';
import type { Store } from '../store/store.ts';
import { createTestStore } from '../store/testing/testStore.ts';
import { Engine } from './engine.ts';
import type { SettledResult } from './engineEvents.ts';
import { enqueueOne, jobOf, loadRegistry, tempDir, waitFor, waitForStatus } from './testing/harness.ts';

/**
 * A job a worker claimed ahead of its one slot, held by a long job, when a reload takes: it kept the
 * settings of its claim, so a service the new registry drops still ran here, and one it changed ran as it
 * was. The reload screens it again: a service gone goes back unstarted, no attempt spent, for a worker that
 * has it; the rest run under the registry in use when they start.
 */

/** The report service echoing `text`. */
function echoing(text: string) {
  return { name: 'report', execution_type: 'shell', runner_config: { command: ['/bin/echo', text] }, security_policy: { allowed_commands: ['/bin/echo'] } };
}

/** The report service as an HTTP call whose token this worker lacks: its claims leave it out. */
const calledWithoutToken = {
  name: 'report',
  execution_type: 'http',
  runner_config: { base_url: 'http://127.0.0.1:9', auth_type: 'bearer', auth_config: { token_env_var: 'REPORT_TOKEN' } },
};

/** `report`: its settings, or none. `slowKind`: the slow service's, whose jobs wait for the gate file, or do nothing. */
function services(gate: string, report: object | null, slowKind: 'shell' | 'noop' = 'shell') {
  const slow =
    slowKind === 'noop'
      ? { name: 'slow', execution_type: 'noop' }
      : {
          name: 'slow',
          execution_type: 'shell',
          runner_config: { command: ['/bin/sh', '-c', `until [ -e '${gate}' ]; do sleep 0.05; done`] },
          security_policy: { allowed_commands: ['/bin/sh'] },
        };
  return [{ name: 'quick', execution_type: 'noop' }, slow, ...(report === null ? [] : [report])];
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a reload screens the jobs claimed ahead again (${kind})`, () => {
    let cleanups: Array<() => Promise<unknown>>;
    let store: Store;
    let gate: string;
    let dir: string;
    let holder: RegistryHolder;
    let engine: Engine;

    beforeEach(async () => {
      cleanups = [];
      const temp = await tempDir();
      cleanups.push(() => temp.cleanup());
      dir = temp.dir;
      const made = await createTestStore(kind);
      store = made.store;
      cleanups.push(() => made.cleanup());
      gate = path.join(dir, 'slow-may-end');
      holder = (await loadRegistry(dir, services(gate, echoing('as claimed')))).holder;
      engine = new Engine({ store, registry: holder, concurrency: 1, env: { PATH: process.env.PATH }, pollMs: 20, schedules: false, maintenance: false });
      cleanups.push(() => engine.stop({ graceMs: 0 }), () => writeFile(gate, ''));
    });

    afterEach(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    /** The worker, trusting its jobs are short, runs the slow job in its one slot with a report job claimed ahead: their ids. */
    const holdSlotWithReportAhead = async (): Promise<{ slow: number; ahead: number }> => {
      await engine.start();
      const quick: number[] = [];
      for (let i = 0; i < 20; i++) quick.push(await enqueueOne(store, 'quick', 'noop', 1));
      for (const id of quick) await waitForStatus(store, id, 'completed');
      const [slow, ahead] = await store.enqueue([
        { queue: 'default', service_name: 'slow', execution_type: 'shell', max_attempts: 1, payload: {} },
        { queue: 'default', service_name: 'report', execution_type: 'shell', max_attempts: 1, payload: {} },
      ]);
      assert.ok(slow && ahead);
      await waitFor('both leased, the slow one running and the report waiting for the slot', async () => {
        const [a, b] = await Promise.all([jobOf(store, slow.id), jobOf(store, ahead.id)]);
        return a.status === 'running' && b.status === 'running' && b.lease_owner === engine.workerId;
      });
      return { slow: slow.id, ahead: ahead.id };
    };

    const reload = async (name: string, report: object | null, slowKind: 'shell' | 'noop' = 'shell') => {
      const file = path.join(dir, name);
      await writeFile(file, JSON.stringify({ services: services(gate, report, slowKind) }));
      assert.equal((await holder.loadFile(file)).ok, true);
    };

    test('a reload that drops its service: it goes back unstarted at once, no attempt spent, while the slot is held', async () => {
      const { slow, ahead } = await holdSlotWithReportAhead();
      await reload('no-report.yaml', null);
      const back = await waitFor('the report handed back', async () => {
        const job = await jobOf(store, ahead);
        return job.status !== 'running' && job;
      });
      assert.deepEqual([back.status, back.attempts, back.error_message ?? null, await store.listAttempts(ahead)], ['pending', 0, null, []]);
      assert.equal((await jobOf(store, slow)).status, 'running', 'the slot still held');
      // Left to a worker whose registry has it: not claimed here again once the slot frees.
      await writeFile(gate, '');
      await waitForStatus(store, slow, 'completed');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual([(await jobOf(store, ahead)).status, await store.listAttempts(ahead)], ['pending', []]);
    });

    test('a reload that changes its settings: it runs under the new ones once the slot frees', async () => {
      const { ahead } = await holdSlotWithReportAhead();
      await reload('report-changed.yaml', echoing('as reloaded'));
      await writeFile(gate, '');
      const done = await waitForStatus(store, ahead, 'completed');
      assert.equal(done.attempts, 1);
      const [attempt] = await store.listAttempts(ahead);
      assert.match(attempt?.output_tail ?? '', /as reloaded/);
    });

    test('a reload that changes its kind to one this worker leaves out: metrics count it under the kind it went back as, the job that ran under its own', async () => {
      const settled: SettledResult[] = [];
      engine.on('settled', (e) => settled.push(...e.results));
      const { slow, ahead } = await holdSlotWithReportAhead();
      // The slow service changes kind too: it ran as the registry before said, and is counted so.
      await reload('report-http.yaml', calledWithoutToken, 'noop');
      const said = (service: string) => waitFor(`the ${service} job's settled event`, () => settled.find((r) => r.service === service));
      const back = await said('report');
      assert.deepEqual([back.execution_type, back.kind, back.seconds], ['http', 'interrupted', null], 'handed back unstarted: counted under the kind the registry in use gives it, not the kind it was claimed as');
      assert.deepEqual([(await jobOf(store, ahead)).status, await store.listAttempts(ahead)], ['pending', []]);
      await writeFile(gate, '');
      await waitForStatus(store, slow, 'completed');
      const ran = await said('slow');
      assert.deepEqual([ran.execution_type, ran.kind], ['shell', 'completed'], 'it ran: counted under the kind it ran as, not the registry in use');
    });
  });
}
