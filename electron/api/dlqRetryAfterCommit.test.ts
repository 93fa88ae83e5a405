import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { calls, type ApiResponse, type DlqRetryResult } from '../../shared/contract.ts';
import { StoreError } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import { withClient } from '../store/testing/pgTestDb.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';

function retried(res: ApiResponse): DlqRetryResult {
  if (!res.ok) assert.fail(`${res.error.code}: ${res.error.message}`);
  return calls['dlq.retry'].output.parse(res.result);
}

const gone = () => new StoreError('unavailable', 'the store did not answer within 1 s', 'check the server', { transient: true });

/**
 * A dead-letter retry that committed answers with what it did even when the store stops answering the reads
 * that follow (the workers that run the jobs, the control plane that may hold them): "unavailable, try again"
 * said of jobs already pending sent operators to retry again, which found none.
 */
describe('dlq.retry after its commit', () => {
  let t: TestContext | null = null;
  afterEach(async () => {
    await t?.cleanup();
    t = null;
  });

  it('the workers unread: the retry as done, no unserved, and a note that who runs them could not be checked', async () => {
    t = await createTestContext();
    const { ctx, store, deadLetters } = t;
    const ids = await deadLetters('billing', 3, 'upstream returned 503');
    const workersGone: Store = storeWith(store, { listWorkers: () => Promise.reject(gone()) });
    const result = retried(await dispatch('dlq.retry', { selector: { service: 'billing' } }, { ...ctx, store: workersGone }));
    assert.deepEqual([result.affected, result.job_ids, result.unserved], [3, ids, undefined]);
    assert.equal(result.unchecked, 'who runs them could not be checked: the store did not answer within 1 s; check the server');
    assert.equal(result.note, `retried 3 dead letters; ${result.unchecked}`);
    for (const id of ids) assert.equal((await store.getJob(id))?.status, 'pending');
    const again = retried(await dispatch('dlq.retry', { selector: { service: 'billing' } }, ctx));
    assert.equal(again.affected, 0, 'nothing left to retry: it was done');
  });

  it("on PostgreSQL, the workers' table locked elsewhere: the retry commits, and its answer says who runs them could not be checked", async () => {
    t = await createTestContext(undefined, 'postgres', { readAnswerMs: 500 });
    const { ctx, store, deadLetters, location } = t;
    const ids = await deadLetters('billing', 2, 'upstream returned 503');
    const result = await withClient(location, async (holder) => {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE jobs.tb_worker IN ACCESS EXCLUSIVE MODE');
      try {
        return retried(await dispatch('dlq.retry', { selector: { service: 'billing' } }, ctx));
      } finally {
        await holder.query('ROLLBACK');
      }
    });
    assert.deepEqual([result.affected, result.job_ids, result.unserved], [2, ids, undefined]);
    assert.match(result.unchecked ?? '', /^who runs them could not be checked: .*did not answer within 1 s/);
    for (const id of ids) assert.equal((await store.getJob(id))?.status, 'pending');
  });

  it('the control plane unread: the breakers as the retry counted them, nothing said of the control plane, and why', async () => {
    t = await createTestContext();
    const { ctx, store, deadLetters } = t;
    await deadLetters('billing', 2, 'upstream returned 503');
    await store.setBreakerModeIfItChanges('billing', 'force_open', { user: 'ops', host: 'h' }, 'vendor outage');
    await store.setEmergencyStop(true, { user: 'ops', host: 'h' }, 'drill');
    const controlGone: Store = storeWith(store, { getControl: () => Promise.reject(gone()) });
    const result = retried(await dispatch('dlq.retry', { selector: { service: 'billing' } }, { ...ctx, store: controlGone }));
    assert.equal(result.affected, 2);
    assert.deepEqual(result.held_by_breaker, [{ service_name: 'billing', mode: 'force_open', state: 'open', jobs: 2 }]);
    assert.equal(result.held_by_control, undefined, 'not guessed');
    assert.match(result.note, /^retried 2 dead letters; no live worker runs them: billing \(queue \S+\): no worker is running .*; what of the control plane holds them could not be checked: the store did not answer/);
  });

  it('a failure that is no store outage is still an error', async () => {
    t = await createTestContext();
    const { ctx, store, deadLetters } = t;
    await deadLetters('billing', 1, 'upstream returned 503');
    const broken: Store = storeWith(store, { listWorkers: () => Promise.reject(new TypeError('a bug')) });
    const res = await dispatch('dlq.retry', { selector: { service: 'billing' } }, { ...ctx, store: broken });
    assert.equal(res.ok ? 'ok' : res.error.code, 'internal');
  });
});
