import type { Actor } from '../../shared/domain.ts';
import { pruneCutoffs } from '../../shared/retention.ts';
import type { PruneCutoffs, Retention } from '../../shared/retention.ts';
import type { PruneCounts, Store } from '../store/store.ts';

/** Jobs looked at per batch: one short transaction each, so the engine's own writes wait one batch at most. */
const PRUNE_BATCH = 500;

export interface PruneProgress extends PruneCounts {
  /** The job id the walk has reached: where the next call picks up when this one ran out of time. */
  reachedId: number;
  /** The walk reached jobs newer than every cutoff: this pass is over. */
  done: boolean;
}

/** Lets timers and I/O run between batches: on SQLite each batch holds the event loop while it runs. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Walks the jobs oldest first from `fromId`, pruning batch by batch what is past its cutoff, until the
 * walk is done or `budgetMs` has passed; reports after every batch.
 */
async function pruneJobs(
  store: Store,
  cutoffs: PruneCutoffs,
  opts: { fromId?: number; budgetMs?: number; batch?: number; onBatch?: (progress: PruneProgress) => void } = {},
): Promise<PruneProgress> {
  const started = Date.now();
  const progress: PruneProgress = { completed: 0, cancelled: 0, dead_letters: 0, reachedId: opts.fromId ?? 0, done: false };
  while (!progress.done) {
    const batch = await store.pruneBatch(cutoffs, progress.reachedId, opts.batch ?? PRUNE_BATCH);
    progress.completed += batch.completed;
    progress.cancelled += batch.cancelled;
    progress.dead_letters += batch.dead_letters;
    progress.reachedId = batch.lastId;
    progress.done = batch.done;
    opts.onBatch?.(progress);
    if (opts.budgetMs !== undefined && Date.now() - started >= opts.budgetMs) break;
    await breathe();
  }
  return progress;
}

/** Removes the per-minute history past its retention, a bounded number of rows per statement. */
async function pruneHistory(store: Store, before: Date, opts: { budgetMs?: number } = {}): Promise<number> {
  const started = Date.now();
  let removed = 0;
  for (;;) {
    const n = await store.pruneHistory(before, 5000);
    removed += n;
    if (n === 0 || (opts.budgetMs !== undefined && Date.now() - started >= opts.budgetMs)) return removed;
    await breathe();
  }
}

/** Gives freed space back in steps of a few megabytes until none is left or the budget is spent. */
async function reclaimSpace(store: Store, opts: { budgetMs?: number } = {}): Promise<{ freedBytes: number; freeBytes: number }> {
  const started = Date.now();
  let freed = 0;
  for (;;) {
    const step = await store.reclaimSpace(4 << 20);
    freed += step.freedBytes;
    if (step.freedBytes === 0 || step.freeBytes === 0 || (opts.budgetMs !== undefined && Date.now() - started >= opts.budgetMs)) {
      return { freedBytes: freed, freeBytes: step.freeBytes };
    }
    await breathe();
  }
}

export interface PruneRoundResult extends PruneCounts {
  historyRows: number;
  freedBytes: number;
  /** Where the walk of the jobs stopped: a round cut short by its budget carries on from here. */
  reachedId: number;
  done: boolean;
}

/**
 * One round of pruning past the retention: the jobs (from `fromId`, within `budgetMs` when given), the
 * chart history, the space it freed; then one audit row naming `actor` and what went. A round that removed
 * nothing is audited only when an operator asked for it (`auditEmpty`): the background upkeep's idle rounds
 * would bury the log.
 */
export async function pruneRound(
  store: Store,
  retention: Retention,
  actor: Actor,
  opts: { now?: Date; fromId?: number; budgetMs?: number; auditEmpty: boolean; onBatch?: (progress: PruneProgress) => void },
): Promise<PruneRoundResult> {
  const cutoffs = pruneCutoffs(retention, opts.now ?? new Date());
  const jobs = await pruneJobs(store, cutoffs, { fromId: opts.fromId, budgetMs: opts.budgetMs, onBatch: opts.onBatch });
  const historyRows = await pruneHistory(store, cutoffs.history, { budgetMs: opts.budgetMs });
  const space = await reclaimSpace(store, { budgetMs: opts.budgetMs });
  const removed = jobs.completed + jobs.cancelled + jobs.dead_letters;
  if (removed > 0 || opts.auditEmpty) {
    await store.audit({
      actor,
      action: 'retention.prune',
      job_count: removed,
      details: { completed: jobs.completed, cancelled: jobs.cancelled, dead_letters: jobs.dead_letters, history_rows: historyRows, retention: { ...retention } },
    });
  }
  return {
    completed: jobs.completed,
    cancelled: jobs.cancelled,
    dead_letters: jobs.dead_letters,
    historyRows,
    freedBytes: space.freedBytes,
    reachedId: jobs.reachedId,
    done: jobs.done,
  };
}
