import { bulkSelectorProblem } from '../../../shared/dlqSelection.ts';
import type { DlqSelector } from '../../../shared/domain.ts';
import { DLQ_GROUP_LIMIT } from '../../store/store.ts';
import { ApiFailure } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';

function checkedBulk(selector: DlqSelector, verb: string): DlqSelector {
  const problem = bulkSelectorProblem(selector, verb);
  if (problem) throw new ApiFailure('invalid_input', problem, [{ path: 'selector', message: problem }]);
  return selector;
}

/** Bulk actions say how many jobs they match; with dry_run nothing changes. */
export const dlq: Handlers<'dlq.groups' | 'dlq.list' | 'dlq.retry' | 'dlq.resolve' | 'dlq.purge'> = {
  'dlq.groups': async (input, ctx) => {
    const filter = { search: input.search, service: input.service };
    const groups = await ctx.store.dlqGroups(filter);
    const inGroups = groups.reduce((sum, g) => sum + g.count, 0);
    // Only a list as long as the limit may have been cut: then a count of its own tells.
    const total = groups.length >= DLQ_GROUP_LIMIT ? await ctx.store.dlqCount(filter) : inGroups;
    return { groups, total, truncated: total > inGroups };
  },

  'dlq.list': async (input, ctx) => {
    const page = await ctx.store.dlqList(input.selector, { limit: input.limit, after: input.after ?? null });
    return { jobs: page.items, next_cursor: page.next_cursor };
  },

  'dlq.retry': async (input, ctx) => {
    checkedBulk(input.selector, 'retry');
    if (input.dry_run) return { dry_run: true, matched: await ctx.store.dlqCount(input.selector), affected: 0 };
    // One transaction in the store: what it matched is what it changed.
    const n = await ctx.store.dlqRetry(input.selector, ctx.actor);
    return { dry_run: false, matched: n, affected: n };
  },

  'dlq.resolve': async (input, ctx) => {
    checkedBulk(input.selector, 'resolve');
    if (input.dry_run) return { dry_run: true, matched: await ctx.store.dlqCount(input.selector), affected: 0 };
    const n = await ctx.store.dlqResolve(input.selector, input.note, ctx.actor);
    return { dry_run: false, matched: n, affected: n };
  },

  'dlq.purge': async (input, ctx) => {
    const before = new Date(input.before);
    if (input.dry_run) return { dry_run: true, matched: await ctx.store.purgeResolvedCount(before), affected: 0 };
    const n = await ctx.store.purgeResolved(before, ctx.actor);
    return { dry_run: false, matched: n, affected: n };
  },
};
