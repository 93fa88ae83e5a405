import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Registry } from '../../shared/registry.ts';
import { finishJobs } from '../store/testing/finishJobs.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { twoPostgresStores, twoSqliteStores, type TwoStores } from '../store/testing/twoStores.ts';
import { HOUR_SETTLED_MS } from './hourSums.ts';
import { Maintainer, ROUND_LEASE_MS } from './maintainer.ts';
import { silentLogger } from '../log/logger.ts';

/** Jobs finished "a while ago": the round is run as of a day from now, so a one-hour retention covers them. */
const TOMORROW = new Date(Date.now() + 86_400_000);

function registry(retention: Registry['retention']): { registry: Registry } {
  return { registry: { services: [], retention } };
}

function maintainerSuite(name: string, open: () => Promise<TwoStores>): void {
  describe(`background upkeep: ${name}`, () => {
    it('of two processes sharing a store one prunes, and it leaves an audit row; the other waits its turn', async () => {
      const { first, second, close } = await open();
      try {
        await finishJobs(first, 1200);
        const policy = registry({ completed: '1h', cancelled: '1h', dead_letters: '30d', history: '30d', enabled: true });
        const a = new Maintainer({ store: first, registry: policy, owner: 'worker-a', log: silentLogger });
        const b = new Maintainer({ store: second, registry: policy, owner: 'worker-b', log: silentLogger });
        const [roundA, roundB] = await Promise.all([a.runOnce(TOMORROW), b.runOnce(TOMORROW)]);
        const rounds = [roundA, roundB].filter((r) => r !== null);
        assert.equal(rounds.length, 1, 'exactly one of them held the upkeep');
        assert.equal(rounds[0]?.completed, 1200);
        assert.deepEqual(await first.countsByQueueAndStatus(), []);
        const audit = await first.listAudit({ action: 'retention.prune' }, { limit: 5 });
        assert.deepEqual(audit.items.map((e) => [e.actor.startsWith('retention@'), e.job_count]), [[true, 1200]]);
        const again = roundA ? a : b;
        assert.deepEqual(await again.runOnce(TOMORROW), { completed: 0, cancelled: 0, dead_letters: 0, historyRows: 0, freedBytes: 0 });
        assert.equal((await first.listAudit({ action: 'retention.prune' }, { limit: 5 })).items.length, 1, 'a round that removed nothing is not audited');
      } finally {
        await close();
      }
    });

    it('does nothing when retention is switched off in the registry', async () => {
      const { first, close } = await open();
      try {
        await finishJobs(first, 10);
        const off = new Maintainer({ store: first, registry: registry({ completed: '1h', cancelled: '1h', dead_letters: '30d', history: '30d', enabled: false }), owner: 'w', log: silentLogger });
        assert.equal(await off.runOnce(TOMORROW), null);
        assert.equal((await first.listJobs({}, { limit: 100 })).items.length, 10);
      } finally {
        await close();
      }
    });

    it("sums the hours that are over by the store's clock, by which settles date their minutes, not this process's", async () => {
      const { first, close } = await open();
      try {
        const storeNow = await first.clock();
        assert.ok(Math.abs(storeNow.getTime() - Date.now()) < 60_000, `the store's clock on this machine: ${storeNow.toISOString()}`);
        // As if this worker's clock ran two hours ahead of the store's: only the store's time counts.
        const behind = new Date(Date.now() - 2 * 3_600_000);
        const asked: Date[] = [];
        const skewed = storeWith(first, {
          clock: async () => behind,
          sumRollupHours: (through, maxHours) => {
            asked.push(through);
            return first.sumRollupHours(through, maxHours);
          },
        });
        const keeper = new Maintainer({ store: skewed, registry: registry({ completed: '1h', cancelled: '1h', dead_letters: '30d', history: '30d', enabled: false }), owner: 'w', log: silentLogger });
        await keeper.sumHours();
        assert.deepEqual(asked.map((t) => t.getTime()), [behind.getTime() - HOUR_SETTLED_MS]);
      } finally {
        await close();
      }
    });

    it('sums the rollups by the hour even with retention off, and a month read from the hours agrees with its minutes', async () => {
      const { first, close } = await open();
      try {
        await finishJobs(first, 30);
        const month = new Date(Date.now() - 30 * 86_400_000);
        const fromMinutes = await first.rollupsByType(month);
        let steps = 0;
        const watched = storeWith(first, {
          sumRollupHours: (through, maxHours) => {
            steps++;
            return first.sumRollupHours(through, maxHours);
          },
        });
        const off = registry({ completed: '1h', cancelled: '1h', dead_letters: '30d', history: '30d', enabled: false });
        const keeper = new Maintainer({ store: watched, registry: off, owner: 'w', log: silentLogger, intervalMs: 10 });
        keeper.start();
        const deadline = Date.now() + 5000;
        while (steps === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        await keeper.stop();
        assert.ok(steps > 0, 'the background round summed hours');
        // A day on, the hour these jobs finished in is over and summed.
        assert.ok((await keeper.sumHours(TOMORROW)) > 0);
        assert.deepEqual(await first.rollupsByType(month), fromMinutes);
        assert.equal(fromMinutes.outcomes[0]?.completed, 30);
        assert.equal((await first.listJobs({}, { limit: 100 })).items.length, 30, 'nothing pruned');
      } finally {
        await close();
      }
    });

    it('a round holds the upkeep briefly and renews it as it goes, so a worker that dies mid-round does not keep it for minutes', async () => {
      const { first, close } = await open();
      try {
        await finishJobs(first, 1500);
        const leases: number[] = [];
        const watched = storeWith(first, {
          takeMaintenance: (task, owner, ttlMs) => {
            leases.push(ttlMs);
            return first.takeMaintenance(task, owner, ttlMs);
          },
        });
        const policy = registry({ completed: '1h', cancelled: '1h', dead_letters: '30d', history: '30d', enabled: true });
        const round = await new Maintainer({ store: watched, registry: policy, owner: 'w', log: silentLogger }).runOnce(TOMORROW);
        assert.equal(round?.completed, 1500);
        assert.ok(leases.length >= 3, `taken, then renewed before each batch and step: ${leases.length} times`);
        assert.ok(leases.every((ms) => ms === ROUND_LEASE_MS), `every hold is ${ROUND_LEASE_MS} ms: ${leases.join(', ')}`);
        assert.equal(await first.maintenanceHolder('retention'), null, 'given up after the round');
      } finally {
        await close();
      }
    });

    it('a round that finds its lease taken stops there and leaves the schedule fires to the new holder', async () => {
      const { first, close } = await open();
      try {
        await finishJobs(first, 1500);
        let renewals = 0;
        let firesPruned = false;
        const losing = storeWith(first, {
          // The first take succeeds; by the first renewal another process holds the upkeep.
          takeMaintenance: (task, owner, ttlMs) => (renewals++ === 0 ? first.takeMaintenance(task, owner, ttlMs) : Promise.resolve(false)),
          pruneScheduleFires: (before, max) => {
            firesPruned = true;
            return first.pruneScheduleFires(before, max);
          },
        });
        const policy = registry({ completed: '1h', cancelled: '1h', dead_letters: '30d', history: '30d', enabled: true });
        const round = await new Maintainer({ store: losing, registry: policy, owner: 'w', log: silentLogger }).runOnce(TOMORROW);
        assert.equal(round?.completed, 0, 'not one batch after the lease was found gone');
        assert.equal((await first.listJobs({}, { limit: 1 })).items.length, 1, 'the jobs are left for the new holder');
        assert.equal(firesPruned, false);
      } finally {
        await close();
      }
    });

    it('a round stops at its time budget and the next one carries on where it stopped', async () => {
      const { first, close } = await open();
      try {
        await finishJobs(first, 1500);
        const policy = registry({ completed: '1h', cancelled: '1h', dead_letters: '30d', history: '30d', enabled: true });
        const keeper = new Maintainer({ store: first, registry: policy, owner: 'w', log: silentLogger, budgetMs: 0 });
        const rounds: number[] = [];
        for (let i = 0; i < 10; i++) {
          const round = await keeper.runOnce(TOMORROW);
          rounds.push(round?.completed ?? -1);
          if ((await first.listJobs({}, { limit: 1 })).items.length === 0) break;
        }
        assert.ok(rounds.length >= 3, `pruned over several rounds: ${rounds.join(', ')}`);
        assert.equal(rounds.reduce((n, r) => n + r, 0), 1500);
      } finally {
        await close();
      }
    });
  });
}

maintainerSuite('sqlite', twoSqliteStores);
maintainerSuite('postgres', twoPostgresStores);
