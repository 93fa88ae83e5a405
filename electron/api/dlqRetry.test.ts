import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { calls, type ApiResponse, type BulkResult, type DlqRetryResult } from '../../shared/contract.ts';
import type { Store } from '../store/store.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';

function retried(res: ApiResponse): DlqRetryResult {
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
      await store.setBreakerModeIfItChanges('billing', 'force_open', { user: 'ops', host: 'h' }, 'vendor outage');
      await store.setBreakerModeIfItChanges('imports', 'force_open', { user: 'ops', host: 'h' }, 'vendor outage');
      // Just before this retry takes its jobs, another operator resolves two of billing's and releases imports.
      const raced: Store = storeWith(store, {
        async dlqRetry(selector, actor) {
          await store.dlqResolve({ job_ids: billing.slice(0, 2) }, 'handled by hand', { user: 'other', host: 'h2' });
          await store.setBreakerModeIfItChanges('imports', 'reset', { user: 'other', host: 'h2' }, 'vendor back');
          return store.dlqRetry(selector, actor);
        },
      });
      const result = retried(await dispatch('dlq.retry', { selector: { search: '503' } }, { ...ctx, store: raced }));
      assert.equal(result.affected, 3, "billing's last dead letter and imports' two");
      assert.deepEqual(result.held_by_breaker, [{ service_name: 'billing', mode: 'force_open', state: 'open', jobs: 1 }]);
    });

    it('a dry run says what the retry that follows does: the same count, the same breakers, the same paused queues and stops', async () => {
      t = await createTestContext(undefined, dialect);
      const { ctx, store, deadLetters } = t;
      const ops = { user: 'ops', host: 'h' };
      const billing = await deadLetters('billing', 3, 'upstream returned 503');
      const imports = await deadLetters('imports', 2, 'upstream returned 503');
      const importsQueue = (await store.getJob(imports[0] ?? 0))?.queue ?? '';
      await store.setBreakerModeIfItChanges('billing', 'force_open', ops, 'vendor outage');
      await store.setQueuePaused(importsQueue, true, ops, 'upstream migration');
      await store.setQueuePaused('reports', true, ops, 'not among them');
      await store.setEmergencyStop(true, ops, 'drill');
      const selector = { job_ids: [...billing, ...imports, 987_654] };
      const audited = await t.auditCount();

      const dry = retried(await dispatch('dlq.retry', { selector, dry_run: true }, ctx));
      assert.equal(await t.auditCount(), audited, 'a dry run changes nothing, so it is not audited');
      const { job_ids, unserved: _unserved, note, ...counts } = dry;
      assert.deepEqual(job_ids, [...billing, ...imports].sort((a, b) => a - b));
      assert.match(note, /^would retry 5 dead letters; no live worker runs them: billing \(queue \S+\), imports \(queue \S+\): no worker is running/);
      assert.deepEqual(counts, {
        dry_run: true,
        matched: 5,
        affected: 0,
        unmatched_ids: [987_654],
        held_by_breaker: [{ service_name: 'billing', mode: 'force_open', state: 'open', jobs: 3 }],
        held_by_control: [
          'the emergency stop is engaged by ops@h: drill (Resume in the banner at the top releases it)',
          `queue ${importsQueue} is paused by ops@h: upstream migration (Resume queue in its banner at the top)`,
        ],
      });
      const real = retried(await dispatch('dlq.retry', { selector }, ctx));
      assert.deepEqual(real, { ...dry, dry_run: false, affected: 5, note: note.replace(/^would retry/, 'retried') });
    });

    it('a dry run of ids none of which is an open dead letter is refused as the retry is', async () => {
      t = await createTestContext(undefined, dialect);
      const res = await dispatch('dlq.retry', { selector: { job_ids: [987_654] }, dry_run: true }, t.ctx);
      assert.equal(res.ok ? 'ok' : res.error.code, 'not_found');
      assert.match(res.ok ? '' : res.error.message, /no open dead letter has the id 987654/);
    });

    it('operators retrying the same dead letters at once are told of each job once between them', async () => {
      t = await createTestContext(undefined, dialect);
      const { ctx, store, deadLetters } = t;
      await deadLetters('billing', 40, 'upstream returned 503');
      await store.setBreakerModeIfItChanges('billing', 'force_open', { user: 'ops', host: 'h' }, 'vendor outage');
      const results = await Promise.all(
        ['ann', 'bob', 'cy', 'di'].map(async (user) => retried(await dispatch('dlq.retry', { selector: { service: 'billing' } }, { ...ctx, actor: { user, host: 'h' } }))),
      );
      assert.equal(results.reduce((sum, r) => sum + r.affected, 0), 40, 'each dead letter retried once');
      for (const result of results) assert.equal(heldJobs(result), result.affected, JSON.stringify(result));
    });
  });
}
