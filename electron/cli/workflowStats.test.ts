import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowStatsView } from '../../shared/contract.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const REGISTRY = [
  'services:',
  '  - name: step',
  '    execution_type: noop',
  '  - name: broken',
  '    execution_type: noop',
  '    retry_config: { max_retries: 0 }',
  '    runner_config: { fail: true, fail_message: "upstream answered 503" }',
  'workflows:',
  '  - name: nightly',
  '    tasks:',
  '      - { name: extract, service: step }',
  '      - { name: load, service: step, depends_on: [extract] }',
  '  - name: doomed',
  '    tasks:',
  '      - { name: first, service: broken }',
  '      - { name: then, service: step, depends_on: [first] }',
  '  - name: idle',
  '    tasks:',
  '      - { name: only, service: step }',
  '',
].join('\n');

/**
 * The runbooks' workflow metrics from the runs a real worker finished: three runs of nightly complete, two
 * of doomed fail at their first task, and one more is cancelled before any worker took it.
 */
for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`opsdeck workflow stats on ${dialect}`, () => {
    let dir: string;
    let pg: TestDatabase | null = null;
    let common: string[];

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'opsdeck-workflow-stats-'));
      const registry = join(dir, 'registry.yaml');
      await writeFile(registry, REGISTRY);
      pg = dialect === 'postgres' ? await createTestDatabase() : null;
      common = ['--db', pg?.url ?? join(dir, 'o.db'), '--registry', registry];
      ok(await opsdeck(['migrate', ...common]));
      const cancelled = JSON.parse(ok(await opsdeck(['workflow', 'run', 'nightly', '--identifier', 'n-cancelled', ...common, '--json']))) as { run_id: number };
      ok(await opsdeck(['workflow', 'cancel', String(cancelled.run_id), '--reason', 'not tonight', ...common]));
      for (let i = 0; i < 3; i++) ok(await opsdeck(['workflow', 'run', 'nightly', '--identifier', `n-${i}`, ...common]));
      for (let i = 0; i < 2; i++) ok(await opsdeck(['workflow', 'run', 'doomed', '--identifier', `d-${i}`, ...common]));
      ok(await opsdeck(['worker', '--until-empty', ...common]));
    });

    after(async () => {
      await pg?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    it('per workflow: runs, succeeded, failed, cancelled and running, and p50/p95 of the completed ones', async () => {
      const stats = WorkflowStatsView.parse(JSON.parse(ok(await opsdeck(['workflow', 'stats', ...common, '--json']))));
      const row = (name: string) => stats.workflows.find((w) => w.workflow === name);
      assert.deepEqual(stats.workflows.map((w) => w.workflow), ['doomed', 'nightly'], 'by name; one with no run in the window has no row');
      assert.deepEqual([row('nightly')?.runs, row('nightly')?.completed, row('nightly')?.failed, row('nightly')?.cancelled, row('nightly')?.running], [4, 3, 0, 1, 0]);
      assert.deepEqual([row('doomed')?.runs, row('doomed')?.completed, row('doomed')?.failed, row('doomed')?.p50_ms], [2, 0, 2, null], 'no completed run: no duration');
      const p50 = row('nightly')?.p50_ms ?? null;
      const p95 = row('nightly')?.p95_ms ?? null;
      assert.ok(p50 !== null && p95 !== null && p50 > 0 && p95 >= p50 && p95 < 120_000, `durations of the completed runs: ${p50}, ${p95}`);
      const back = Date.parse(stats.until) - Date.parse(stats.since);
      assert.equal(back, 24 * 3_600_000, 'the last 24 hours by default');

      const text = ok(await opsdeck(['workflow', 'stats', ...common]));
      assert.match(text, /^WORKFLOW +RUNS +SUCCEEDED +FAILED +CANCELLED +RUNNING +P50 +P95$/m);
      // As every duration is written: 840 ms, 2.05 s, 12.3 s, 1m 5s.
      const took = String.raw`(?:\d+ ms|\d+\.\d\d? s|\d+m \d+s)`;
      assert.match(text, new RegExp(`^nightly +4 +3 +0 +1 +0 +${took} +${took}$`, 'm'));
      assert.match(text, /^doomed +2 +0 +2 +0 +0 +- +-$/m);
      assert.match(text, /\nworkflow runs started in the last 24h, from .* to .*, each in the status it has now\n/);
    });

    it('--workflow keeps one; a window with none says so; a window past 30d or not a duration is refused', async () => {
      const one = WorkflowStatsView.parse(JSON.parse(ok(await opsdeck(['workflow', 'stats', '--workflow', 'doomed', '--since', '1h', ...common, '--json']))));
      assert.deepEqual(one.workflows.map((w) => [w.workflow, w.failed]), [['doomed', 2]]);
      assert.match(ok(await opsdeck(['workflow', 'stats', '--workflow', 'idle', ...common])), /^no runs of idle started in the last 24h, from /);
      for (const since of ['31d', 'soon']) {
        const refused = await opsdeck(['workflow', 'stats', '--since', since, ...common]);
        assert.equal(refused.code, 2, since);
        assert.match(refused.stderr, new RegExp(`^opsdeck: --since takes a duration from 1m to 30d, like 15m, 1h or 24h, not "${since}"`));
      }
    });
  });
}
