import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { calls, type ApiResponse, type BulkResult } from '../../shared/contract.ts';
import type { Store } from '../store/store.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';

function retried(res: ApiResponse): BulkResult {
  if (!res.ok) assert.fail(`${res.error.code}: ${res.error.message}`);
  return calls['dlq.retry'].output.parse(res.result);
}

const heldJobs = (result: BulkResult) => (result.held_by_breaker ?? []).reduce((sum, held) => sum + held.jobs, 0);

/**
 * What a dead-letter retry says its breakers hold is counted by the retry itself: another operator acting
 * at the same moment cannot make it tell of jobs it did not send back, nor of a breaker no longer holding them.
 */
for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`dlq.retry's held-back count on ${dialect}`, () => {
    let t: TestContext | null = null;
    afterEach(async () => {
      await t?.cleanup();
      t = null;
    });

    it('counts only what it retried, as the breakers stood when it did', async () => {
      t = await createTestContext(undefined, dialect);
      const { ctx, store, deadLetters } = t;
      const billing = await deadLetters('billing', 3, 'upstream returned 503');
      await deadLetters('imports', 2, 'upstream returned 503');
      await store.setBreakerMode('billing', 'force_open', { user: 'ops', host: 'h' }, 'vendor outage');
      await store.setBreakerMode('imports', 'force_open', { user: 'ops', host: 'h' }, 'vendor outage');
      // Just before this retry takes its jobs, another operator resolves two of billing's and releases imports.
      const raced: Store = storeWith(store, {
        async dlqRetry(selector, actor) {
          await store.dlqResolve({ job_ids: billing.slice(0, 2) }, 'handled by hand', { user: 'other', host: 'h2' });
          await store.setBreakerMode('imports', 'reset', { user: 'other', host: 'h2' }, 'vendor back');
          return store.dlqRetry(selector, actor);
        },
      });
      const result = retried(await dispatch('dlq.retry', { selector: { search: '503' } }, { ...ctx, store: raced }));
      assert.equal(result.affected, 3, "billing's last dead letter and imports' two");
      assert.deepEqual(result.held_by_breaker, [{ service_name: 'billing', mode: 'force_open', state: 'open', jobs: 1 }]);
    });

    it('operators retrying the same dead letters at once are told of each job once between them', async () => {
      t = await createTestContext(undefined, dialect);
      const { ctx, store, deadLetters } = t;
      await deadLetters('billing', 40, 'upstream returned 503');
      await store.setBreakerMode('billing', 'force_open', { user: 'ops', host: 'h' }, 'vendor outage');
      const results = await Promise.all(
        ['ann', 'bob', 'cy', 'di'].map(async (user) => retried(await dispatch('dlq.retry', { selector: { service: 'billing' } }, { ...ctx, actor: { user, host: 'h' } }))),
      );
      assert.equal(results.reduce((sum, r) => sum + r.affected, 0), 40, 'each dead letter retried once');
      for (const result of results) assert.equal(heldJobs(result), result.affected, JSON.stringify(result));
    });
  });
}
