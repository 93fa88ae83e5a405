import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { calls, type ApiResponse } from '../../shared/contract.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';

/** Operator calls asking for what is already so: refused or said to change nothing, and none is audited. */

const REGISTRY = `
services:
  - name: step
    execution_type: noop
workflows:
  - name: pair
    tasks:
      - { name: first, service: step }
      - { name: second, service: step, depends_on: [first] }
`;

function ok(res: ApiResponse): unknown {
  if (!res.ok) assert.fail(`${res.error.code}: ${res.error.message}`);
  return res.result;
}

function failure(res: ApiResponse): { code: string; message: string } {
  if (res.ok) assert.fail(`expected a failure, got ${JSON.stringify(res.result)}`);
  return res.error;
}

let t: TestContext | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

async function context(): Promise<TestContext> {
  t = await createTestContext(REGISTRY);
  return t;
}

describe('cancelling a workflow run that has finished', () => {
  it('is a conflict naming what the run is, and writes no audit row', async () => {
    const { ctx, store } = await context();
    const started = calls['workflows.run'].output.parse(ok(await dispatch('workflows.run', { workflow: 'pair', identifier: 'r1' }, ctx)));
    for (let i = 0; i < 2; i++) {
      const [claimed] = await store.claim({ workerId: 'w1', limit: 1, leaseMs: 60_000 });
      assert.ok(claimed);
      await store.settle([{ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w1', kind: 'completed' }]);
    }
    const refused = failure(await dispatch('workflows.cancel', { run: started.run_id, reason: 'too late' }, ctx));
    assert.deepEqual(refused, { code: 'conflict', message: `workflow run ${started.run_id} (r1) of pair is completed: nothing to cancel` });

    const other = calls['workflows.run'].output.parse(ok(await dispatch('workflows.run', { workflow: 'pair', identifier: 'r2' }, ctx)));
    assert.deepEqual(calls['workflows.cancel'].output.parse(ok(await dispatch('workflows.cancel', { run: 'r2' }, ctx))), { cancelled: 2, stopping: 0 });
    const twice = failure(await dispatch('workflows.cancel', { run: 'r2' }, ctx));
    assert.deepEqual(twice, { code: 'conflict', message: `workflow run ${other.run_id} (r2) of pair is cancelled: nothing to cancel` });
    assert.equal((await store.listAudit({ action: 'workflow.cancel' }, { limit: 5 })).items.length, 1);
  });
});
