import { DEFAULT_RETENTION, pruneCutoffs } from '../../../shared/retention.ts';
import { pruneRound } from '../../engine/pruning.ts';
import type { Handlers } from '../handlerTypes.ts';

/**
 * Retention as the registry sets it, and pruning on demand: what the background upkeep does a little at a
 * time, done to the end at once (the CLI's `opsdeck prune` walks the same batches with progress).
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
    const done = await pruneRound(ctx.store, policy, ctx.actor, { auditEmpty: true });
    return { dry_run: false, completed: done.completed, cancelled: done.cancelled, dead_letters: done.dead_letters, bytes: done.freedBytes, history_rows: done.historyRows };
  },
};
