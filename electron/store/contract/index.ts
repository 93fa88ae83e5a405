import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../store.ts';
import { apiKeysContract } from './apiKeys.ts';
import { tuningsContract } from './tunings.ts';
import { claimSettleContract } from './claim-settle.ts';
import { controlContract } from './control.ts';
import { dlqClassesContract } from './dlqClasses.ts';
import { enqueueContract } from './enqueue.ts';
import { failJobContract } from './failJob.ts';
import { gatesContract } from './gates.ts';
import { interruptionsContract } from './interruptions.ts';
import { alertsContract } from './alerts.ts';
import type { ContractHandle } from './fixtures.ts';
import { operatorContract } from './operator.ts';
import { listingPagesContract } from './listingPages.ts';
import { readsContract } from './reads.ts';
import { retentionContract } from './retention.ts';
import { rollupHoursContract } from './rollupHours.ts';
import { runStartContract } from './runStart.ts';
import { schedulesContract } from './schedules.ts';
import { workflowsContract } from './workflows.ts';
import { workflowSchedulesContract } from './workflowSchedules.ts';
import { workersContract } from './workers.ts';

export type { ContractHandle } from './fixtures.ts';

/**
 * The store contract: one suite that every dialect passes, so SQLite and PostgreSQL cannot drift.
 * `makeStore` gives a fresh, migrated, empty store per test; `openSecond` (optional) a second
 * connection or instance on the same database, for the claim race and cross-process signals.
 */
export function runStoreContract(name: string, makeStore: () => Promise<ContractHandle>): void {
  const test = (title: string, body: (store: Store, handle: ContractHandle) => Promise<void>) =>
    it(title, async () => {
      const handle = await makeStore();
      try {
        await body(handle.store, handle);
        // Whatever a test did to the jobs, the counts kept beside them still agree with them.
        assert.deepEqual(await handle.store.checkCounts(false), [], 'the kept counts agree with the jobs');
      } finally {
        await handle.cleanup();
      }
    });

  describe(`store contract: ${name}`, () => {
    enqueueContract(test);
    claimSettleContract(test);
    interruptionsContract(test);
    runStartContract(test);
    operatorContract(test);
    dlqClassesContract(test);
    controlContract(test);
    workersContract(test);
    readsContract(test);
    listingPagesContract(test);
    retentionContract(test);
    rollupHoursContract(test);
    failJobContract(test);
    tuningsContract(test);
    apiKeysContract(test);
    schedulesContract(test);
    workflowsContract(test);
    workflowSchedulesContract(test);
    gatesContract(test);
    alertsContract(test);
  });
}
