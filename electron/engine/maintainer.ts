import os from 'node:os';
import type { Logger } from '../log/logger.ts';
import { DEFAULT_RETENTION, pruneCutoffs } from '../../shared/retention.ts';
import type { Registry } from '../../shared/registry.ts';
import type { Store } from '../store/store.ts';
import { sumRollupHours } from './hourSums.ts';
import { RETENTION_TASK, pruneRound } from './pruning.ts';

/** How long a background round holds the upkeep unrenewed: within an operator's prune's wait for it (30 s). */
export const ROUND_LEASE_MS = 20_000;

export interface MaintainerOptions {
  store: Store;
  registry: { readonly registry: Registry };
  owner: string;
  log: Logger;
  /** How often to try (default a minute). */
  intervalMs?: number;
  /** How long one round may prune before it yields to the next (default 2 s). */
  budgetMs?: number;
}

export interface MaintenanceRound {
  completed: number;
  cancelled: number;
  dead_letters: number;
  historyRows: number;
  freedBytes: number;
}

/**
 * Keeps a store to the retention of the registry, in the background: every interval, sums the rollups'
 * hours that are over, then, if no other process holds the upkeep, prunes for a bounded time (continuing
 * where its last round stopped), trims the chart history and gives freed space back. Each round that
 * removed jobs leaves an audit row.
 */
export class Maintainer {
  readonly #opts: MaintainerOptions;
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<MaintenanceRound | null> | null = null;
  #reachedId = 0;

  constructor(opts: MaintainerOptions) {
    this.#opts = opts;
  }

  start(): void {
    if (this.#timer) return;
    const every = this.#opts.intervalMs ?? 60_000;
    // The first round waits a little: a worker that just started has claims to make first.
    this.#timer = setTimeout(() => {
      void this.#tick();
      this.#timer = setInterval(() => void this.#tick(), every);
      this.#timer.unref();
    }, Math.min(every, 10_000));
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#round?.catch(() => null);
  }

  async #tick(): Promise<void> {
    if (this.#round) return;
    this.#round = this.#upkeep();
    await this.#round;
    this.#round = null;
  }

  async #upkeep(): Promise<MaintenanceRound | null> {
    const failed = (what: string) => (error: unknown) => {
      this.#opts.log.warn(what, { error: error instanceof Error ? error.message : String(error) });
      return null;
    };
    await this.sumHours().catch(failed('summing the rollups by the hour failed'));
    return this.runOnce().catch(failed('maintenance failed'));
  }

  /**
   * Sums the rollups' hours that are over (engine/hourSums.ts), whatever the retention says: it prunes
   * nothing, and a month's performance reads them. Any process may, at any time: the store's step is safe
   * beside another's. The hours summed. By the store's clock unless told: settles date their minutes by it,
   * and a worker whose own clock runs ahead would sum an hour the store still writes into.
   */
  async sumHours(now?: Date): Promise<number> {
    return sumRollupHours(this.#opts.store, now ?? (await this.#opts.store.clock()), this.#opts.budgetMs ?? 2000);
  }

  /** One round, if retention is on and this process holds (or takes) the upkeep; null otherwise. */
  async runOnce(now = new Date()): Promise<MaintenanceRound | null> {
    const { store, owner } = this.#opts;
    const retention = this.#opts.registry.registry.retention ?? DEFAULT_RETENTION;
    if (!retention.enabled) return null;
    const budgetMs = this.#opts.budgetMs ?? 2000;
    const leaseMs = Math.max(ROUND_LEASE_MS, 5 * budgetMs);
    if (!(await store.takeMaintenance(RETENTION_TASK, owner, leaseMs))) return null;
    // Renewed before every batch and step, so a slow round keeps it, and a worker that dies mid-round holds it
    // only until it runs out: an operator's `opsdeck prune` waits that long at most.
    let held = true;
    const keepGoing = async () => {
      if (held) held = await store.takeMaintenance(RETENTION_TASK, owner, leaseMs);
      return held;
    };
    try {
      const round = await pruneRound(store, retention, { user: 'retention', host: os.hostname() }, { now, fromId: this.#reachedId, budgetMs, auditEmpty: false, keepGoing });
      this.#reachedId = round.done ? 0 : round.reachedId;
      if (!held) {
        // Another process holds the upkeep now (ours ran out mid-batch): it prunes, this round stops here.
        this.#opts.log.warn('the pruning lease ran out during a round; another process carries on', { task: RETENTION_TASK });
      } else {
        // Schedules' fire history is history too: it goes after the history's retention (a schedule's last fire stays).
        const fires = await store.pruneScheduleFires(pruneCutoffs(retention, now).history, 5000);
        if (fires > 0) this.#opts.log.info('pruned schedule fires past the history retention', { fires });
      }
      const removed = round.completed + round.cancelled + round.dead_letters;
      if (removed > 0) this.#opts.log.info('pruned jobs past their retention', { jobs: removed });
      return { completed: round.completed, cancelled: round.cancelled, dead_letters: round.dead_letters, historyRows: round.historyRows, freedBytes: round.freedBytes };
    } finally {
      await store.releaseMaintenance(RETENTION_TASK, owner);
    }
  }
}
