import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { dispatch } from './dispatch.ts';
import { RegistryHolder } from '../config/holder.ts';
import { stuckWorkflowRuns } from './stuckRuns.ts';
import { createTestContext } from './testing/apiTestContext.ts';

const REGISTRY = `
services:
  - name: step
    execution_type: noop
workflows:
  - name: quick_to_stick
    stuck_after: 1s
    tasks:
      - { name: one, service: step }
      - { name: two, service: step, depends_on: [one] }
  - name: patient
    tasks:
      - { name: only, service: step }
`;

describe('workflow calls', () => {
  it('flags a running run with no task progress past its stuck_after, and no other', async () => {
    const t = await createTestContext(REGISTRY);
    try {
      const started = await dispatch('workflows.run', { workflow: 'quick_to_stick' }, t.ctx);
      assert.ok(started.ok);
      assert.ok((await dispatch('workflows.run', { workflow: 'patient' }, t.ctx)).ok);
      const fresh = await dispatch('workflows.stuck', {}, t.ctx);
      assert.deepEqual(fresh.ok ? fresh.result : fresh.error, { runs: [], counts: [] });
      const health = async () => {
        const res = await dispatch('health.check', { check: 'workflows' }, t.ctx);
        assert.ok(res.ok, JSON.stringify(res));
        const report = calls['health.check'].output.parse(res.result);
        return { ok: report.ok, warning: report.checks[0]?.warning === true, detail: report.checks[0]?.detail ?? '' };
      };
      assert.deepEqual(await health(), { ok: true, warning: false, detail: 'no running workflow run is stuck' });
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const later = await dispatch('workflows.stuck', {}, t.ctx);
      assert.ok(later.ok);
      const { runs, counts } = calls['workflows.stuck'].output.parse(later.result);
      assert.deepEqual(runs.map((r) => [r.workflow, r.stuck]), [['quick_to_stick', true]], 'patient allows an hour');
      assert.deepEqual(counts, [{ workflow: 'quick_to_stick', stuck: 1 }]);
      const warned = await health();
      assert.deepEqual([warned.ok, warned.warning], [true, true], 'a stuck run is a warning, not an outage');
      // Its one task pending, no task failed or was cancelled: retry would refuse it, so it is not offered.
      assert.match(warned.detail, /^1 workflow run\(s\) stuck: quick_to_stick run (\d+) \(no task progress for \ds, stuck after 1s\); open run \1 from the Runs list on the Workflows page: its graph shows which task holds it; Cancel run there ends it$/);
    } finally {
      await t.cleanup();
    }
  });

  it('judges a run by the stuck_after it started with, where no registry is loaded or the registry changed since', async () => {
    const t = await createTestContext(REGISTRY);
    try {
      assert.ok((await dispatch('workflows.run', { workflow: 'quick_to_stick' }, t.ctx)).ok);
      assert.ok((await dispatch('workflows.run', { workflow: 'patient' }, t.ctx)).ok);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const elsewhere = { ...t.ctx, registry: new RegistryHolder({}) };
      const stuck = await stuckWorkflowRuns(elsewhere);
      assert.deepEqual(stuck.map((r) => [r.workflow, r.stuck_after_ms]), [['quick_to_stick', 1000]], 'its own 1s, not the default hour');
      const check = await dispatch('health.check', { check: 'workflows' }, elsewhere);
      assert.ok(check.ok);
      assert.match(calls['health.check'].output.parse(check.result).checks[0]?.detail ?? '', /quick_to_stick run \d+ \(no task progress for \ds, stuck after 1s\)/);
    } finally {
      await t.cleanup();
    }
  });

  it('finds a stuck run behind more than a page of older runs of a patient workflow', async () => {
    const t = await createTestContext(REGISTRY);
    try {
      for (let i = 0; i < 201; i++) assert.ok((await dispatch('workflows.run', { workflow: 'patient' }, t.ctx)).ok);
      assert.ok((await dispatch('workflows.run', { workflow: 'quick_to_stick' }, t.ctx)).ok);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const stuck = await dispatch('workflows.stuck', {}, t.ctx);
      assert.ok(stuck.ok);
      assert.deepEqual(calls['workflows.stuck'].output.parse(stuck.result).runs.map((r) => r.workflow), ['quick_to_stick']);
    } finally {
      await t.cleanup();
    }
  });

  it('the health check names every workflow with stuck runs: the longest stuck run of the first five, the rest by their counts', async () => {
    const names = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7'];
    const registry = `services:\n  - { name: step, execution_type: noop }\nworkflows:\n${names.map((n) => `  - { name: ${n}, stuck_after: 1s, tasks: [{ name: only, service: step }] }\n`).join('')}`;
    const t = await createTestContext(registry);
    try {
      // Started in order, so w1's run is the longest stuck; w7 has two.
      for (const workflow of [...names, 'w7']) {
        assert.ok((await dispatch('workflows.run', { workflow }, t.ctx)).ok);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const check = await dispatch('health.check', { check: 'workflows' }, t.ctx);
      assert.ok(check.ok);
      const detail = calls['health.check'].output.parse(check.result).checks[0]?.detail ?? '';
      assert.match(detail, /^8 workflow run\(s\) stuck: w1 run \d+ \(no task progress for \ds, stuck after 1s\), w2 run \d+ .*, w5 run \d+ \([^)]*\), and runs stuck in 2 more workflow\(s\): w6 1, w7 2; /);
    } finally {
      await t.cleanup();
    }
  });

  it('refuses an unknown workflow, a reserved payload key and an unknown run with clear errors', async () => {
    const t = await createTestContext(REGISTRY);
    try {
      const unknown = await dispatch('workflows.run', { workflow: 'nope' }, t.ctx);
      assert.deepEqual(unknown.ok ? null : [unknown.error.code, unknown.error.message], ['not_found', 'workflow nope is not in the registry (known: quick_to_stick, patient)']);
      const typo = await dispatch('workflows.run', { workflow: 'patiant' }, t.ctx);
      assert.deepEqual(typo.ok ? null : [typo.error.code, typo.error.message], ['not_found', 'workflow patiant is not in the registry (did you mean patient? known: quick_to_stick, patient)']);
      const reserved = await dispatch('workflows.run', { workflow: 'patient', payload: { workflow: 'x' } }, t.ctx);
      assert.equal(reserved.ok ? null : reserved.error.code, 'invalid_input');
      const missing = await dispatch('workflows.retry', { run: 4242 }, t.ctx);
      assert.equal(missing.ok ? null : missing.error.code, 'not_found');
      const hostile = await dispatch('workflows.show', { run: "'; DROP TABLE tb_workflow_run; --" }, t.ctx);
      assert.equal(hostile.ok ? null : hostile.error.code, 'not_found');
      assert.equal((await dispatch('workflows.runs', {}, t.ctx)).ok, true, 'the runs are still there');
    } finally {
      await t.cleanup();
    }
  });
});
