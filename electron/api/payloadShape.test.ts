import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ApiResponse } from '../../shared/contract.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';
import { ok } from './testing/responses.ts';

/**
 * A job's payload and a workflow run's are both a JSON object: every runner reads the payload by key,
 * and a run's is laid over each task's. Enqueue, a bulk enqueue, a run and a new schedule refuse anything
 * else alike.
 */

const REGISTRY = `
services:
  - name: sync
    execution_type: http
    runner_config: { base_url: "http://127.0.0.1:9", method: POST }
workflows:
  - name: nightly
    tasks:
      - { name: pull, service: sync }
`;

let t: TestContext | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

function refusal(res: ApiResponse): { code: string; message: string; issues: { path: string; message: string }[] } {
  if (res.ok) assert.fail(`expected a refusal, got ${JSON.stringify(res.result)}`);
  return { code: res.error.code, message: res.error.message, issues: res.error.issues ?? [] };
}

describe('a payload that is no JSON object', () => {
  it('is refused by enqueue, a bulk enqueue and a workflow run in the same words, naming the payload and what it is; nothing is written', async () => {
    t = await createTestContext(REGISTRY);
    const { ctx, store } = t;
    const cases: [unknown, string][] = [[42, 'a number'], ['x', 'a string'], [[1, 2], 'an array'], [null, 'null'], [true, 'a boolean']];
    for (const [payload, kind] of cases) {
      const words = `must be a JSON object, such as {"date": "2026-12-04"}, not ${kind}`;
      const one = refusal(await dispatch('jobs.enqueue', { service: 'sync', payload }, ctx));
      assert.deepEqual([one.code, one.message, one.issues], ['invalid_input', `invalid input for jobs.enqueue: payload: ${words}`, [{ path: 'payload', message: words }]]);
      const many = refusal(await dispatch('jobs.enqueueMany', { service: 'sync', jobs: [{ payload: {} }, { payload }] }, ctx));
      assert.deepEqual(many.issues, [{ path: 'jobs[1].payload', message: words }]);
      const run = refusal(await dispatch('workflows.run', { workflow: 'nightly', payload }, ctx));
      assert.deepEqual(run.issues, [{ path: 'payload', message: words }]);
      // Each fire of a service's schedule is an enqueue.
      const schedule = refusal(await dispatch('schedules.add', { name: 'hourly', service: 'sync', cron: '@hourly', payload }, ctx));
      assert.deepEqual(schedule.issues, [{ path: 'payload', message: words }]);
    }
    assert.equal(await store.countJobs({}), 0);
    assert.deepEqual(await store.listSchedules(), []);
  });

  it('an object is taken, and no payload at all still is', async () => {
    t = await createTestContext(REGISTRY);
    const { ctx, store } = t;
    ok(await dispatch('jobs.enqueue', { service: 'sync', identifier: 'with', payload: { body: { order: 'A-17' } } }, ctx));
    ok(await dispatch('jobs.enqueue', { service: 'sync', identifier: 'without' }, ctx));
    ok(await dispatch('workflows.run', { workflow: 'nightly', payload: { since: 'yesterday' } }, ctx));
    assert.deepEqual((await store.getJob('with'))?.payload, { body: { order: 'A-17' } });
    assert.equal((await store.getJob('without'))?.payload, null);
  });

  // The console checks an answer's payload by its kind alone; what a caller sends is still checked whole here.
  it('is checked whole on the host: a value inside that JSON cannot carry is refused where it is', async () => {
    t = await createTestContext(REGISTRY);
    const { ctx, store } = t;
    const inside = refusal(await dispatch('jobs.enqueue', { service: 'sync', payload: { rows: [{ qty: 1 }, { qty: Number.POSITIVE_INFINITY }] } }, ctx));
    assert.equal(inside.code, 'invalid_input');
    // z.json() is a union: a value none of its members takes is reported where the union began, under payload.
    assert.deepEqual(inside.issues.map((i) => i.path), ['payload.rows']);
    const dated = refusal(await dispatch('workflows.run', { workflow: 'nightly', payload: { at: new Date(0) } }, ctx));
    assert.deepEqual(dated.issues.map((i) => i.path), ['payload.at']);
    assert.equal(await store.countJobs({}), 0);
  });
});
