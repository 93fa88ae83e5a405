import { effectiveState } from '../../../shared/breakerRecord.ts';
import type { HeldByBreaker } from '../../../shared/contract.ts';
import { bulkSelectorProblem } from '../../../shared/dlqSelection.ts';
import type { DlqSelector } from '../../../shared/domain.ts';
import { DLQ_GROUP_LIMIT } from '../../store/store.ts';
import type { ApiContext } from '../context.ts';
import { ApiFailure, notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { controlReasons } from '../waitingReasons.ts';

function checkedBulk(selector: DlqSelector, verb: string): void {
  const problem = bulkSelectorProblem(selector, verb);
  if (problem) throw new ApiFailure('invalid_input', problem, [{ path: 'selector', message: problem }]);
}

/**
 * Of the ids a selector names, those that are no open dead letter: said back, not passed over in silence.
 * None open at all is a 404, as a retry or cancel of an unknown job is.
 */
async function unmatchedIds(ctx: ApiContext, selector: DlqSelector): Promise<{ unmatched_ids?: number[] }> {
  if (selector.job_ids === undefined || selector.job_ids.length === 0) return {};
  const open = new Set<number>();
  let after: string | null = null;
  do {
    const page = await ctx.store.dlqList({ job_ids: selector.job_ids }, { limit: 500, after });
    for (const job of page.items) open.add(job.id);
    after = page.next_cursor;
  } while (after !== null);
  const unmatched = [...new Set(selector.job_ids)].filter((id) => !open.has(id));
  if (open.size === 0) throw notFound(`no open dead letter has the id${unmatched.length === 1 ? '' : 's'} ${unmatched.slice(0, 20).join(', ')}${unmatched.length > 20 ? ', …' : ''}`);
  return unmatched.length > 0 ? { unmatched_ids: unmatched } : {};
}

/**
 * Retried jobs wait while the control plane holds them: said beside the count, as the breakers are. A
 * paused queue is named only among the queues the retry sent jobs back to (none known on a dry run).
 */
async function heldByControl(ctx: ApiContext, jobs: number, queues: readonly string[]): Promise<{ held_by_control?: string[] }> {
  if (jobs === 0) return {};
  const held = controlReasons(await ctx.store.getControl(), queues);
  return held.length > 0 ? { held_by_control: held } : {};
}

/**
 * Of the dead letters a dry run of a retry would send back, those whose service's breaker is open (or
 * forced open, or half-open): they would wait pending. Only breakers that hold anything cost a count. A
 * real retry counts them itself, in its own transaction (Store.dlqRetry).
 */
async function wouldBeHeld(ctx: ApiContext, selector: DlqSelector): Promise<{ held_by_breaker?: HeldByBreaker[] }> {
  const holding = (await ctx.store.listBreakers()).filter((b) => effectiveState(b) !== 'closed' && (selector.service === undefined || selector.service === b.service_name));
  const held: HeldByBreaker[] = [];
  for (const breaker of holding) {
    const jobs = await ctx.store.dlqCount({ ...selector, service: breaker.service_name });
    if (jobs > 0) held.push({ service_name: breaker.service_name, mode: breaker.mode, state: effectiveState(breaker), jobs });
  }
  return held.length > 0 ? { held_by_breaker: held } : {};
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
    const unmatched = await unmatchedIds(ctx, input.selector);
    if (input.dry_run) {
      const matched = await ctx.store.dlqCount(input.selector);
      return { dry_run: true, matched, affected: 0, ...unmatched, ...(await wouldBeHeld(ctx, input.selector)), ...(await heldByControl(ctx, matched, [])) };
    }
    // One transaction in the store: what it matched is what it changed, and what it says breakers hold is of
    // those jobs, whatever other operators and workers do meanwhile.
    const { retried, held_by_breaker, queues } = await ctx.store.dlqRetry(input.selector, ctx.actor);
    return {
      dry_run: false,
      matched: retried,
      affected: retried,
      ...unmatched,
      ...(held_by_breaker.length > 0 ? { held_by_breaker } : {}),
      ...(await heldByControl(ctx, retried, queues)),
    };
  },

  'dlq.resolve': async (input, ctx) => {
    checkedBulk(input.selector, 'resolve');
    const unmatched = await unmatchedIds(ctx, input.selector);
    if (input.dry_run) return { dry_run: true, matched: await ctx.store.dlqCount(input.selector), affected: 0, ...unmatched };
    if (input.note === undefined) {
      const problem = 'a resolve needs a note saying why, kept with each job and in the audit log (a dry run needs none)';
      throw new ApiFailure('invalid_input', problem, [{ path: 'note', message: problem }]);
    }
    const n = await ctx.store.dlqResolve(input.selector, input.note, ctx.actor);
    return { dry_run: false, matched: n, affected: n, ...unmatched };
  },

  'dlq.purge': async (input, ctx) => {
    const before = new Date(input.before);
    if (input.dry_run) return { dry_run: true, matched: await ctx.store.purgeResolvedCount(before), affected: 0 };
    const n = await ctx.store.purgeResolved(before, ctx.actor);
    return { dry_run: false, matched: n, affected: n };
  },
};
