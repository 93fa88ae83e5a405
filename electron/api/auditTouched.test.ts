import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';
import { ok } from './testing/responses.ts';

const REGISTRY = ['services:', '  - name: hog', '    execution_type: noop', '  - name: bulk', '    execution_type: noop', ''].join('\n');

async function lastAudit(t: TestContext, action: string) {
  const [row] = (await t.store.listAudit({ action }, { limit: 1 })).items;
  assert.ok(row, `an audit row for ${action}`);
  return row;
}

/**
 * A bulk action's audit row names the jobs it touched, the first 100 and how many more: a dead-letter retry,
 * resolve and purge, and a bulk enqueue. A single job's actions name it by id, an enqueue as a retry does.
 */
async function check(t: TestContext): Promise<void> {
  const hogs = await t.deadLetters('hog', 3, 'out of memory');
  const many = await t.deadLetters('bulk', 102, 'timeout');
  const sorted = [...many].sort((a, b) => a - b);

  ok(await dispatch('dlq.retry', { selector: { service: 'hog' } }, t.ctx));
  const retry = await lastAudit(t, 'dlq.retry');
  assert.equal(retry.job_count, 3);
  assert.deepEqual(retry.details, { selector: { service: 'hog' }, job_ids: [...hogs].sort((a, b) => a - b) });

  ok(await dispatch('dlq.resolve', { selector: { service: 'bulk' }, note: 'known outage' }, t.ctx));
  const resolve = await lastAudit(t, 'dlq.resolve');
  assert.equal(resolve.job_count, 102);
  assert.deepEqual(resolve.details, { selector: { service: 'bulk' }, note: 'known outage', job_ids: sorted.slice(0, 100), job_ids_more: 2 });

  ok(await dispatch('dlq.purge', { before: new Date(Date.now() + 60_000).toISOString() }, t.ctx));
  const purge = await lastAudit(t, 'dlq.purge');
  assert.equal(purge.job_count, 102);
  assert.deepEqual({ ...purge.details, before: null }, { before: null, job_ids: sorted.slice(0, 100), job_ids_more: 2 });

  // A retry that matched nothing is audited with no job.
  ok(await dispatch('dlq.retry', { selector: { service: 'hog' } }, t.ctx));
  assert.deepEqual((await lastAudit(t, 'dlq.retry')).details, { selector: { service: 'hog' }, job_ids: [] });

  const enqueued = calls['jobs.enqueueMany'].output.parse(ok(await dispatch('jobs.enqueueMany', { service: 'bulk', jobs: [{ identifier: 'b-1' }, { identifier: 'b-2' }] }, t.ctx))).jobs;
  const bulk = await lastAudit(t, 'job.enqueue');
  assert.equal(bulk.target, 'bulk');
  assert.deepEqual(bulk.details, { service: 'bulk', submitted: 2, job_ids: enqueued.map((j) => j.id).sort((a, b) => a - b) });

  const one = calls['jobs.enqueue'].output.parse(ok(await dispatch('jobs.enqueue', { service: 'hog', identifier: 'nightly-7' }, t.ctx)));
  const single = await lastAudit(t, 'job.enqueue');
  assert.deepEqual([single.target, single.details], [String(one.id), { service: 'hog', identifier: 'nightly-7' }]);
  assert.equal((await t.store.listAudit({ search: 'nightly-7' }, { limit: 5 })).items.length, 1, 'a search by the identifier still finds it');
}

describe('audit rows name the jobs an action touched', () => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    test(dialect, async () => {
      const t = await createTestContext(REGISTRY, dialect);
      try {
        await check(t);
      } finally {
        await t.cleanup();
      }
    });
  }
});
