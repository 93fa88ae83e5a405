import { randomUUID } from 'node:crypto';
import type { Actor } from '../../shared/domain.ts';
import { pruneCutoffs } from '../../shared/retention.ts';
import type { PruneCutoffs, Retention } from '../../shared/retention.ts';
import { actorName } from '../store/actor.ts';
import type { MaintenanceHolder, PruneCounts, Store } from '../store/store.ts';

/** The upkeep lease every pruner of a store takes, the workers' background rounds and operators' prunes alike. */
export const RETENTION_TASK = 'retention';

/** Jobs looked at per batch: one short transaction each, so the engine's own writes wait one batch at most. */
const PRUNE_BATCH = 500;

/** Asked before every batch and step of a round: false stops the round there (its lease is gone). */
type KeepGoing = () => Promise<boolean>;

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
  opts: { fromId?: number; budgetMs?: number; batch?: number; onBatch?: (progress: PruneProgress) => void; keepGoing?: KeepGoing } = {},
): Promise<PruneProgress> {
  const started = Date.now();
  const progress: PruneProgress = { completed: 0, cancelled: 0, dead_letters: 0, reachedId: opts.fromId ?? 0, done: false };
  while (!progress.done) {
    if (opts.keepGoing && !(await opts.keepGoing())) break;
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
async function pruneHistory(store: Store, before: Date, opts: { budgetMs?: number; keepGoing?: KeepGoing } = {}): Promise<number> {
  const started = Date.now();
  let removed = 0;
  for (;;) {
    if (opts.keepGoing && !(await opts.keepGoing())) return removed;
    const n = await store.pruneHistory(before, 5000);
    removed += n;
    if (n === 0 || (opts.budgetMs !== undefined && Date.now() - started >= opts.budgetMs)) return removed;
    await breathe();
  }
}

/** Gives freed space back in steps of a few megabytes until none is left or the budget is spent; the bytes it gave. */
async function reclaimSpace(store: Store, opts: { budgetMs?: number; keepGoing?: KeepGoing } = {}): Promise<number> {
  const started = Date.now();
  let freed = 0;
  for (;;) {
    if (opts.keepGoing && !(await opts.keepGoing())) return freed;
    const step = await store.reclaimSpace(4 << 20);
    freed += step.freedBytes;
    if (step.freedBytes === 0 || step.freeBytes === 0 || (opts.budgetMs !== undefined && Date.now() - started >= opts.budgetMs)) return freed;
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
  opts: { now?: Date; fromId?: number; budgetMs?: number; auditEmpty: boolean; onBatch?: (progress: PruneProgress) => void; keepGoing?: KeepGoing },
): Promise<PruneRoundResult> {
  const cutoffs = pruneCutoffs(retention, opts.now ?? new Date());
  const { budgetMs, keepGoing } = opts;
  const jobs = await pruneJobs(store, cutoffs, { fromId: opts.fromId, budgetMs, onBatch: opts.onBatch, keepGoing });
  const historyRows = await pruneHistory(store, cutoffs.history, { budgetMs, keepGoing });
  const freedBytes = await reclaimSpace(store, { budgetMs, keepGoing });
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
    freedBytes,
    reachedId: jobs.reachedId,
    done: jobs.done,
  };
}

/** How long an operator's prune holds the lease unrenewed; it renews it before every batch and step. */
const OPERATOR_LEASE_MS = 60_000;
/**
 * How long an operator's prune waits for the lease by default: well past a worker's background round, which
 * holds it for seconds, and not so long that a prune held up by another operator's seems to hang.
 */
export const LEASE_WAIT_MS = 30_000;
/** How often a prune waiting for the lease asks for it again. */
const LEASE_POLL_MS = 500;

/** Another process held the pruning lease past the wait: nothing was pruned. */
export class PruneLeaseHeld extends Error {
  readonly holder: MaintenanceHolder;

  constructor(holder: MaintenanceHolder) {
    super(`${holder.owner} holds the pruning lease until ${holder.until}`);
    this.name = 'PruneLeaseHeld';
    this.holder = holder;
  }
}

/**
 * The pruning lease went to another process mid-run (this one had not renewed it for its whole length):
 * the run stopped at its next batch, and what it had pruned is audited.
 */
export class PruneLeaseLost extends Error {
  /** Who holds it now; null when nobody does any more. */
  readonly holder: MaintenanceHolder | null;
  readonly pruned: PruneRoundResult;

  constructor(holder: MaintenanceHolder | null, pruned: PruneRoundResult) {
    super(`lost the pruning lease${holder ? ` to ${holder.owner}` : ''} mid-run`);
    this.name = 'PruneLeaseLost';
    this.holder = holder;
    this.pruned = pruned;
  }
}

/** The lease owner an operator's prune shows whoever waits for it. */
export function operatorPruneOwner(actor: Actor): string {
  // Each prune its own owner: a lease taken again by the same owner would let two prunes of one process
  // (a double click, two REST calls with one key) run at once, the first to finish freeing it under the other.
  return `${actorName(actor)}'s prune (pid ${process.pid}, ${randomUUID().slice(0, 8)})`;
}

async function takeLease(store: Store, owner: string, waitMs: number, onWait: ((holder: MaintenanceHolder) => void) | undefined): Promise<void> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    if (await store.takeMaintenance(RETENTION_TASK, owner, OPERATOR_LEASE_MS)) return;
    const holder = await store.maintenanceHolder(RETENTION_TASK);
    // Given up between the two reads: ask again at once.
    if (!holder) continue;
    const left = deadline - Date.now();
    if (left <= 0) throw new PruneLeaseHeld(holder);
    if (!told) onWait?.(holder);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(LEASE_POLL_MS, left)));
  }
}

/**
 * An operator's prune, to the end, under the lease the workers' background rounds take, so the two never
 * prune at once. A background round holds it for seconds: the prune waits up to `waitMs` for it (telling
 * `onWait` once who holds it), then refuses naming the holder. It renews the lease before every batch and
 * step, stops where it finds it gone, and gives it up after.
 */
export async function pruneUnderLease(
  store: Store,
  retention: Retention,
  actor: Actor,
  opts: { owner: string; waitMs: number; now?: Date; onWait?: (holder: MaintenanceHolder) => void; onBatch?: (progress: PruneProgress) => void },
): Promise<PruneRoundResult> {
  await takeLease(store, opts.owner, opts.waitMs, opts.onWait);
  let lost = false;
  const keepGoing = async () => {
    if (!lost) lost = !(await store.takeMaintenance(RETENTION_TASK, opts.owner, OPERATOR_LEASE_MS));
    return !lost;
  };
  try {
    const round = await pruneRound(store, retention, actor, { now: opts.now, auditEmpty: true, onBatch: opts.onBatch, keepGoing });
    if (lost) throw new PruneLeaseLost(await store.maintenanceHolder(RETENTION_TASK), round);
    return round;
  } finally {
    await store.releaseMaintenance(RETENTION_TASK, opts.owner);
  }
}
