import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';
import { createRuntime, type Runtime } from '../api/runtime.ts';
import { startWorkflowRun } from '../engine/workflowStart.ts';
import { tempDir } from '../engine/testing/harness.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { createMetrics } from './metrics.ts';
import { startMetricsServer, type RunningMetricsServer } from './server.ts';
import { Scrape } from './testing/scrape.ts';

const operator = { user: 'alice', host: 'laptop' };
/** More stuck runs of one workflow than the stuck-runs list holds of a workflow. */
const BULK = 205;

/**
 * One workflow with more stuck runs than a list holds of it, and another with one: the gauge counts every
 * one of each over a real /metrics scrape, and the stuck-runs list and health check still show the other's.
 */
for (const dialect of ['sqlite', 'postgres'] as const) describe(`stuck runs of many workflows (${dialect})`, () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pg: TestDatabase | null = null;
  let rt: Runtime;
  let server: RunningMetricsServer;
  let lone: number;

  before(async () => {
    tmp = await tempDir();
    const file = path.join(tmp.dir, 'registry.yaml');
    await writeFile(
      file,
      JSON.stringify({
        services: [{ name: 'quick', execution_type: 'noop', runner_config: { sleep_ms: 1 } }],
        workflows: [
          { name: 'bulk', stuck_after: '1s', tasks: [{ name: 'a', service: 'quick' }] },
          { name: 'lone', stuck_after: '1s', tasks: [{ name: 'a', service: 'quick' }] },
        ],
      }),
    );
    const metrics = createMetrics();
    pg = dialect === 'postgres' ? await createTestDatabase({ migrated: true }) : null;
    // No engine: every run started stays running, with no task progress.
    rt = await createRuntime({ words: CONSOLE_WORDS, db: pg?.url ?? `${tmp.dir}/stuck.db`, registryPath: file, env: {}, execute: false });
    const registry = rt.ctx.registry.registry;
    for (let i = 0; i < BULK; i++) await startWorkflowRun(rt.ctx.store, registry, 'bulk', {}, operator, `bulk-${i}`);
    lone = (await startWorkflowRun(rt.ctx.store, registry, 'lone', {}, operator, 'lone-1')).run_id;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, render: () => metrics.render(rt.ctx) });
  });

  after(async () => {
    await server?.close();
    await rt?.close({ graceMs: 0 });
    await pg?.drop();
    await tmp?.cleanup();
  });

  it("counts every stuck run of each workflow, one workflow's many hiding none of another's", async () => {
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    const scrape = new Scrape(await res.text());
    assert.equal(scrape.value('opsdeck_workflow_runs_stuck', { workflow: 'bulk' }), BULK);
    assert.equal(scrape.value('opsdeck_workflow_runs_stuck', { workflow: 'lone' }), 1);
    assert.equal(scrape.value('opsdeck_workflow_runs_last_hour', { workflow: 'bulk', status: 'running' }), BULK);
    assert.equal(scrape.value('opsdeck_workflow_runs_last_hour', { workflow: 'lone', status: 'running' }), 1);
  });

  it("lists the other workflow's stuck run behind one workflow's many", async () => {
    const res = await dispatch('workflows.stuck', {}, rt.ctx);
    assert.ok(res.ok, JSON.stringify(res));
    const { runs, counts } = calls['workflows.stuck'].output.parse(res.result);
    assert.ok(runs.some((r) => r.id === lone), "lone's run is listed");
    assert.equal(runs.filter((r) => r.workflow === 'bulk').length, 200, "bulk's longest stuck 200");
    assert.ok(runs.every((r) => r.stuck));
    assert.deepEqual(
      [...counts].sort((a, b) => a.workflow.localeCompare(b.workflow)),
      [
        { workflow: 'bulk', stuck: BULK },
        { workflow: 'lone', stuck: 1 },
      ],
      'how many of each are stuck, past the runs listed',
    );
  });

  it("says how many runs are stuck in all, past those the list holds, and names each workflow's longest stuck", async () => {
    const res = await dispatch('health.check', { check: 'workflows' }, rt.ctx);
    assert.ok(res.ok, JSON.stringify(res));
    const detail = calls['health.check'].output.parse(res.result).checks[0]?.detail ?? '';
    assert.match(detail, new RegExp(`^${BULK + 1} workflow run\\(s\\) stuck: bulk run \\d+ \\(.*?\\) and ${BULK - 1} more of bulk, `), 'every stuck run in the total, the longest stuck named first');
    assert.equal((detail.match(/bulk run \d+ \(/g) ?? []).length, 1, "bulk's longest stuck alone");
    assert.match(detail, new RegExp(`, lone run ${lone} \\(no task progress for \\d+s, stuck after 1s\\); `), "lone's run named behind bulk's many");
  });
});
