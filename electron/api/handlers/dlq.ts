import { bulkSelectorProblem } from '../../../shared/dlqSelection.ts';
import type { DlqSelector } from '../../../shared/domain.ts';
import { DLQ_GROUP_LIMIT } from '../../store/store.ts';
import type { ApiContext } from '../context.ts';
import { ApiFailure, notFound, storeOutage } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { heldByOf } from '../heldBy.ts';
import { unservedLanes } from '../unservedLanes.ts';
import { bulkText } from '../../../shared/bulkText.ts';
import { unservedClause } from '../../../shared/unservedText.ts';
import type { BulkResult, DlqRetryResult, UnservedService } from '../../../shared/contract.ts';
import type { DlqRetried, RetriedJobs } from '../../store/failureStore.ts';
import { StoreError } from '../../store/errors.ts';

function checkedBulk(selector: DlqSelector, verb: string): void {
  const problem = bulkSelectorProblem(selector, verb);
  if (problem) throw new ApiFailure('invalid_input', problem, [{ path: 'selector', message: problem }]);
}

/**
 * Of the ids a selector names, those that are no open dead letter: said back, not passed over in silence.
 * None open at all is a 404, as a retry or cancel of an unknown job is.
 */
function unmatchedOf(selector: DlqSelector, open: ReadonlySet<number>): { unmatched_ids?: number[] } {
  if (selector.job_ids === undefined || selector.job_ids.length === 0) return {};
  const unmatched = [...new Set(selector.job_ids)].filter((id) => !open.has(id));
  if (open.size === 0) throw notFound(`no open dead letter has the id${unmatched.length === 1 ? '' : 's'} ${unmatched.slice(0, 20).join(', ')}${unmatched.length > 20 ? ', …' : ''}`);
  return unmatched.length > 0 ? { unmatched_ids: unmatched } : {};
}

/** unmatchedOf, with the named ids that are open dead letters read page by page before the action. */
async function unmatchedIds(ctx: ApiContext, selector: DlqSelector): Promise<{ unmatched_ids?: number[] }> {
  if (selector.job_ids === undefined || selector.job_ids.length === 0) return {};
  const open = new Set<number>();
  let after: string | null = null;
  do {
    const page = await ctx.store.dlqList({ job_ids: selector.job_ids }, { limit: 500, after });
    for (const job of page.items) open.add(job.id);
    after = page.next_cursor;
  } while (after !== null);
  return unmatchedOf(selector, open);
}

type SentBack = Pick<DlqRetryResult, 'job_ids' | 'job_ids_more' | 'unserved' | 'unchecked' | 'note'>;

/**
 * Which jobs a retry sends back, those of them no live worker would run (none said when that could not be
 * read), what could not be read, and the sentence `opsdeck dlq retry` prints, with both after it.
 */
function sentBack(counted: Pick<BulkResult, 'dry_run' | 'matched' | 'affected'>, jobs: RetriedJobs, unserved: UnservedService[], unchecked?: string): SentBack {
  const after = [...(unserved.length > 0 ? [unservedClause(unserved)] : []), ...(unchecked === undefined ? [] : [unchecked])];
  return {
    job_ids: jobs.job_ids,
    ...(jobs.job_ids_more > 0 ? { job_ids_more: jobs.job_ids_more } : {}),
    ...(unserved.length > 0 ? { unserved } : {}),
    ...(unchecked === undefined ? {} : { unchecked }),
    note: [bulkText(counted, 'retry', 'retried'), ...after].join('; '),
  };
}

/** A read after the retry committed: its value, or the store's failure to answer it. */
async function afterCommit<T>(read: Promise<T>): Promise<{ value: T } | { failed: StoreError }> {
  try {
    return { value: await read };
  } catch (error) {
    if (error instanceof StoreError) return { failed: error };
    throw error;
  }
}

/**
 * What a committed retry says of the jobs it sent back. The control plane and the workers are read after
 * the commit, so a store that stops answering then fails only those reads: failing the call would say
 * "unavailable, try again" of jobs already pending, and trying again would retry none of them.
 */
async function committedRetry(ctx: ApiContext, retried: DlqRetried, counted: Pick<BulkResult, 'dry_run' | 'matched' | 'affected'>) {
  const [control, unserved] = await Promise.all([afterCommit(ctx.store.getControl()), afterCommit(unservedLanes(ctx, retried.lanes))]);
  const held = heldByOf(retried.retried, retried.held_by_breaker, 'value' in control ? control.value : null, retried.queues, ctx.words.release);
  const unread = [...('failed' in unserved ? ['who runs them'] : []), ...('failed' in control ? ['what of the control plane holds them'] : [])];
  const failure = 'failed' in unserved ? unserved.failed : 'failed' in control ? control.failed : null;
  const unchecked = failure === null ? undefined : `${unread.join(' and ')} could not be checked: ${storeOutage(failure).message}`;
  return { ...held, ...sentBack(counted, retried, 'value' in unserved ? unserved.value : [], unchecked) };
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
    if (input.dry_run) {
      // One snapshot: what it counts, what it says holds them and which ids are open agree with each other,
      // and with the retry that follows when nothing changes in between.
      const preview = await ctx.store.dlqRetryPreview(input.selector);
      const unmatched = unmatchedOf(input.selector, new Set(preview.open_ids));
      const counted = { dry_run: true, matched: preview.matched, affected: 0 };
      const held = heldByOf(preview.matched, preview.held_by_breaker, preview.control, preview.queues, ctx.words.release);
      return { ...counted, ...unmatched, ...held, ...sentBack(counted, preview, await unservedLanes(ctx, preview.lanes)) };
    }
    const unmatched = await unmatchedIds(ctx, input.selector);
    // One transaction in the store: what it matched is what it changed, and what it says breakers hold is of
    // those jobs, whatever other operators and workers do meanwhile.
    const retried = await ctx.store.dlqRetry(input.selector, ctx.actor);
    const counted = { dry_run: false, matched: retried.retried, affected: retried.retried };
    return { ...counted, ...unmatched, ...(await committedRetry(ctx, retried, counted)) };
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
