import { DEFAULT_RETENTION, pruneCutoffs } from '../../../shared/retention.ts';
import { LEASE_WAIT_MS, operatorPruneOwner, PruneLeaseHeld, PruneLeaseLost, pruneUnderLease } from '../../engine/pruning.ts';
import { conflict } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';

/**
 * Retention as the registry sets it, and pruning on demand: what the background upkeep does a little at a
 * time, done to the end at once, under the same lease (the CLI's `opsdeck prune` walks the same batches
 * with progress).
 */
export const retention: Handlers<'retention.get' | 'retention.prune'> = {
  'retention.get': async (_input, ctx) => {
    const fromRegistry = ctx.registry.registry.retention;
    return { retention: fromRegistry ?? DEFAULT_RETENTION, from_registry: fromRegistry !== undefined };
  },

  'retention.prune': async (input, ctx) => {
    const policy = ctx.registry.registry.retention ?? DEFAULT_RETENTION;
    if (input.dry_run) {
      const estimate = await ctx.store.pruneEstimate(pruneCutoffs(policy, new Date()));
      return { dry_run: true, ...estimate, history_rows: 0 };
    }
    const done = await pruneUnderLease(ctx.store, policy, ctx.actor, { owner: operatorPruneOwner(ctx.actor), waitMs: LEASE_WAIT_MS }).catch((error: unknown) => {
      if (error instanceof PruneLeaseHeld) {
        throw conflict(`${error.holder.owner} holds the pruning lease until ${error.holder.until} (a worker's background round or another prune): pruned nothing; try again once it is free`);
      }
      if (error instanceof PruneLeaseLost) {
        const { pruned } = error;
        throw conflict(`stopped after pruning ${pruned.completed + pruned.cancelled + pruned.dead_letters} job(s): the pruning lease went to ${error.holder?.owner ?? 'another process'}; prune again`);
      }
      throw error;
    });
    return { dry_run: false, completed: done.completed, cancelled: done.cancelled, dead_letters: done.dead_letters, bytes: done.freedBytes, history_rows: done.historyRows };
  },
};
