import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { Registry } from '../../shared/registry.ts';
import { Retention } from '../../shared/retention.ts';
import type { MaintenanceHolder, Store } from '../store/store.ts';
import { finishJobs } from '../store/testing/finishJobs.ts';
import { twoPostgresStores, twoSqliteStores, type TwoStores } from '../store/testing/twoStores.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { silentLogger } from '../log/logger.ts';
import { Maintainer } from './maintainer.ts';
import { operatorPruneOwner, PruneLeaseHeld, PruneLeaseLost, RETENTION_TASK, pruneUnderLease } from './pruning.ts';

/** Jobs finished "a while ago": the prune is run as of a day from now, so a one-hour retention covers them. */
const TOMORROW = new Date(Date.now() + 86_400_000);
const POLICY = Retention.parse({ completed: '1h', cancelled: '1h' });
const alice = { user: 'alice', host: 'laptop' };

function registry(): { registry: Registry } {
  return { registry: { services: [], retention: POLICY } };
}

async function prunes(store: Store): Promise<number> {
  return (await store.listAudit({ action: 'retention.prune' }, { limit: 10 })).items.length;
}

function pruneSuite(name: string, open: () => Promise<TwoStores>): void {
  describe(`an operator's prune under the pruning lease: ${name}`, () => {
    it("waits for a worker's round to give the lease up, holds it for its run, and gives it up after", async () => {
      const { first, second, close } = await open();
      try {
        await finishJobs(first, 1200);
        assert.equal(await second.takeMaintenance(RETENTION_TASK, 'worker-b', 60_000), true);
        const waitedFor: MaintenanceHolder[] = [];
        const heldDuringRun: Array<Promise<MaintenanceHolder | null>> = [];
        setTimeout(() => void second.releaseMaintenance(RETENTION_TASK, 'worker-b'), 300);
        const done = await pruneUnderLease(first, POLICY, alice, {
          owner: "alice@laptop's prune",
          waitMs: 20_000,
          now: TOMORROW,
          onWait: (holder) => waitedFor.push(holder),
          onBatch: () => heldDuringRun.push(second.maintenanceHolder(RETENTION_TASK)),
        });
        assert.deepEqual(waitedFor.map((h) => h.owner), ['worker-b'], 'told once whom it waits for');
        assert.equal(done.completed, 1200);
        assert.ok(heldDuringRun.length > 0);
        assert.deepEqual((await Promise.all(heldDuringRun)).map((h) => h?.owner), heldDuringRun.map(() => "alice@laptop's prune"));
        assert.equal(await first.maintenanceHolder(RETENTION_TASK), null, 'given up after the run');
        assert.equal(await prunes(first), 1);
      } finally {
        await close();
      }
    });

    it('refuses once its wait is over, naming who holds the lease and until when; prunes and audits nothing', async () => {
      const { first, second, close } = await open();
      try {
        await finishJobs(first, 10);
        await second.takeMaintenance(RETENTION_TASK, 'worker-b', 60_000);
        const held = await second.maintenanceHolder(RETENTION_TASK);
        await assert.rejects(pruneUnderLease(first, POLICY, alice, { owner: "alice@laptop's prune", waitMs: 200, now: TOMORROW }), (error: unknown) => {
          assert.ok(error instanceof PruneLeaseHeld);
          assert.deepEqual(error.holder, held);
          return true;
        });
        assert.equal((await first.listJobs({}, { limit: 100 })).items.length, 10);
        assert.equal(await prunes(first), 0);
        assert.equal((await first.maintenanceHolder(RETENTION_TASK))?.owner, 'worker-b', 'the holder keeps it');
      } finally {
        await close();
      }
    });

    it("a worker's background round gives the lease up after it: an operator's prune then takes it at once", async () => {
      const { first, second, close } = await open();
      try {
        await finishJobs(first, 10);
        const worker = new Maintainer({ store: second, registry: registry(), owner: 'worker-b', log: silentLogger });
        assert.equal((await worker.runOnce(TOMORROW))?.completed, 10);
        assert.equal(await first.maintenanceHolder(RETENTION_TASK), null);
        await finishJobs(first, 5);
        assert.equal((await pruneUnderLease(first, POLICY, alice, { owner: "alice@laptop's prune", waitMs: 0, now: TOMORROW })).completed, 5);
      } finally {
        await close();
      }
    });

    it('two prunes of one operator in one process (a double click) do not run at once: the second finds the first holding the lease', async () => {
      const { first, close } = await open();
      try {
        await finishJobs(first, 1500);
        const prune = () => pruneUnderLease(first, POLICY, alice, { owner: operatorPruneOwner(alice), waitMs: 0, now: TOMORROW });
        const [a, b] = await Promise.allSettled([prune(), prune()]);
        assert.deepEqual([a.status, b.status].sort(), ['fulfilled', 'rejected']);
        const refused = a.status === 'rejected' ? a.reason : b.status === 'rejected' ? b.reason : null;
        assert.ok(refused instanceof PruneLeaseHeld, String(refused));
        assert.equal(await prunes(first), 1, 'one prune, audited once');
      } finally {
        await close();
      }
    });
  });
}

pruneSuite('sqlite', twoSqliteStores);
pruneSuite('postgres', twoPostgresStores);

it('stops between batches once its lease is lost, and says who has it now and what it pruned', async () => {
  const { store, path, cleanup } = await createSqliteTestStore();
  const raw = new Database(path);
  try {
    await finishJobs(store, 1200);
    let batches = 0;
    const owner = "alice@laptop's prune";
    await assert.rejects(
      pruneUnderLease(store, POLICY, alice, {
        owner,
        waitMs: 0,
        now: TOMORROW,
        onBatch() {
          // Another process took the lease over (this one stalled past it): SQL on the file, at once.
          if (++batches === 1) raw.prepare(`UPDATE tb_maintenance_lease SET owner = 'worker-b', expires_at = ? WHERE task = ?`).run(new Date(Date.now() + 60_000).toISOString(), RETENTION_TASK);
        },
      }),
      (error: unknown) => {
        assert.ok(error instanceof PruneLeaseLost);
        assert.equal(error.holder?.owner, 'worker-b');
        assert.equal(error.pruned.completed, 500, 'the batch before the loss, and no more');
        return true;
      },
    );
    assert.equal(batches, 1);
    assert.equal((await store.listJobs({}, { limit: 1000 })).items.length, 700);
    assert.equal((await store.listAudit({ action: 'retention.prune' }, { limit: 5 })).items[0]?.job_count, 500, 'what it did prune is audited');
    assert.equal((await store.maintenanceHolder(RETENTION_TASK))?.owner, 'worker-b', 'the new holder keeps it');
  } finally {
    raw.close();
    await cleanup();
  }
});
