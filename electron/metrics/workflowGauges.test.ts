import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';
import { createRuntime, type Runtime } from '../api/runtime.ts';
import { startWorkflowRun } from '../engine/workflowStart.ts';
import { tempDir, waitFor } from '../engine/testing/harness.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { createMetrics } from './metrics.ts';
import { startMetricsServer, type RunningMetricsServer } from './server.ts';
import { Scrape } from './testing/scrape.ts';

const operator = { user: 'alice', host: 'laptop' };

/**
 * The workflow series of a /metrics scrape over HTTP, after runs that completed, failed, were cancelled,
 * and still run (some stuck): read from the store, on both stores.
 */
for (const dialect of ['sqlite', 'postgres'] as const) describe(`workflow metrics (${dialect})`, () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pg: TestDatabase | null = null;
  let rt: Runtime;
  let server: RunningMetricsServer;
  let scrape: Scrape;

  before(async () => {
    tmp = await tempDir();
    const file = path.join(tmp.dir, 'registry.yaml');
    await writeFile(
      file,
      JSON.stringify({
        services: [
          { name: 'quick', execution_type: 'noop', runner_config: { sleep_ms: 1 } },
          { name: 'broken', execution_type: 'noop', runner_config: { fail: true, fail_retryable: false, fail_message: 'no such table' } },
        ],
        workflows: [
          { name: 'ok', tasks: [{ name: 'a', service: 'quick' }, { name: 'b', service: 'quick', depends_on: ['a'] }] },
          { name: 'bad', tasks: [{ name: 'a', service: 'quick' }, { name: 'b', service: 'broken', depends_on: ['a'] }] },
          { name: 'nightly', stuck_after: '1s', tasks: [{ name: 'a', service: 'quick' }] },
          { name: 'hourly', tasks: [{ name: 'a', service: 'quick' }] },
        ],
      }),
    );
    const metrics = createMetrics();
    pg = dialect === 'postgres' ? await createTestDatabase({ migrated: true }) : null;
    rt = await createRuntime({ words: CONSOLE_WORDS, db: pg?.url ?? `${tmp.dir}/metrics.db`, registryPath: file, env: {}, execute: true, onEngine: (engine) => metrics.follow(engine), pollMs: 10 });
    const { store } = rt.ctx;
    const registry = rt.ctx.registry.registry;
    const ok = await startWorkflowRun(store, registry, 'ok', {}, operator, 'ok-1');
    const bad = await startWorkflowRun(store, registry, 'bad', {}, operator, 'bad-1');
    await waitFor('the two runs to finish', async () => {
      const [a, b] = await Promise.all([store.getWorkflowRun(ok.run_id), store.getWorkflowRun(bad.run_id)]);
      return a?.run.status === 'completed' && b?.run.status === 'failed';
    });
    // Nothing runs from here on: the runs started now stay running, and nightly's soon go stuck.
    await store.setEmergencyStop(true, operator, 'hold the runs');
    for (const id of ['nightly-1', 'nightly-2']) await startWorkflowRun(store, registry, 'nightly', {}, operator, id);
    await startWorkflowRun(store, registry, 'hourly', {}, operator, 'hourly-1');
    const cancelled = await startWorkflowRun(store, registry, 'hourly', {}, operator, 'hourly-2');
    assert.equal((await store.cancelWorkflowRun(cancelled.run_id, operator, 'not today'))?.found, 'running');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, render: () => metrics.render(rt.ctx) });
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    scrape = new Scrape(await res.text());
  });

  after(async () => {
    await server?.close();
    await rt?.close({ graceMs: 0 });
    await pg?.drop();
    await tmp?.cleanup();
  });

  it('counts the runs running now by workflow, stuck ones among them', () => {
    assert.equal(scrape.type('opsdeck_workflow_runs_running'), 'GAUGE');
    assert.equal(scrape.value('opsdeck_workflow_runs_running', { workflow: 'nightly' }), 2);
    assert.equal(scrape.value('opsdeck_workflow_runs_running', { workflow: 'hourly' }), 1);
    assert.throws(() => scrape.sample('opsdeck_workflow_runs_running', { workflow: 'ok' }), /no opsdeck_workflow_runs_running/, 'a workflow with nothing running has no series');
  });

  it("counts the stuck runs by workflow, each held to its own stuck_after", () => {
    assert.equal(scrape.type('opsdeck_workflow_runs_stuck'), 'GAUGE');
    assert.equal(scrape.value('opsdeck_workflow_runs_stuck', { workflow: 'nightly' }), 2, 'no progress for past its 1s');
    assert.throws(() => scrape.sample('opsdeck_workflow_runs_stuck', { workflow: 'hourly' }), /no opsdeck_workflow_runs_stuck/, 'within its 1h');
  });

  it('counts the runs started in the last hour by workflow and the status each has now', () => {
    assert.equal(scrape.type('opsdeck_workflow_runs_last_hour'), 'GAUGE');
    const of = (workflow: string, status: string) => scrape.value('opsdeck_workflow_runs_last_hour', { workflow, status });
    assert.deepEqual(
      [of('ok', 'completed'), of('bad', 'failed'), of('nightly', 'running'), of('hourly', 'running'), of('hourly', 'cancelled')],
      [1, 1, 2, 1, 1],
    );
    assert.throws(() => of('ok', 'failed'), /no opsdeck_workflow_runs_last_hour/);
  });

  it('a run that finishes leaves the running and stuck series at the next scrape', async () => {
    await rt.ctx.store.setEmergencyStop(false, operator, null);
    await waitFor('every run to finish', async () => (await rt.ctx.store.runningRunsByWorkflow()).length === 0);
    const next = new Scrape(await (await fetch(server.url)).text());
    assert.throws(() => next.sample('opsdeck_workflow_runs_running', { workflow: 'nightly' }), /no /);
    assert.throws(() => next.sample('opsdeck_workflow_runs_stuck', { workflow: 'nightly' }), /no /);
    assert.equal(next.value('opsdeck_workflow_runs_last_hour', { workflow: 'nightly', status: 'completed' }), 2);
  });
});
