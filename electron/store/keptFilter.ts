import { JOB_STATUSES } from '../../shared/domain.ts';
import type { DlqSelector, JobFilter } from '../../shared/domain.ts';

/**
 * The part of a job filter or DLQ selector the kept counts (tb_job_count) can answer: states, queue,
 * service, types, a dead-letter fingerprint. When that part matches no job, nothing can match the whole
 * filter and a listing returns at once instead of reading a state's jobs to the end; when it is all the
 * filter says (`exact`), the kept count is the filter's count.
 */
export interface KeptFilter {
  /** Job statuses, or `dead_letter` for failed jobs nobody resolved. */
  states: string[];
  queue: string | null;
  service: string | null;
  types: string[] | null;
  fingerprint: string | null;
  exact: boolean;
}

/** Null when the filter names nothing the counts know (a search or a time range alone). */
export function keptFilterOf(filter: JobFilter): KeptFilter | null {
  let states: string[] = filter.status ? JOB_STATUSES.filter((s) => filter.status?.includes(s)) : [...JOB_STATUSES];
  if (filter.stuck) states = states.filter((s) => s === 'running');
  if (filter.scheduled) states = states.filter((s) => s === 'pending');
  if (filter.unresolved) states = states.includes('failed') ? ['dead_letter'] : [];
  const named = filter.status !== undefined || filter.stuck || filter.scheduled || filter.unresolved || filter.queue !== undefined || filter.service !== undefined || filter.execution_type !== undefined;
  if (!named) return null;
  const narrowedElsewhere =
    filter.stuck || filter.scheduled || (filter.search ?? '') !== '' || filter.error_class !== undefined || filter.created_after !== undefined || filter.created_before !== undefined || filter.started_before !== undefined;
  return {
    states,
    queue: filter.queue ?? null,
    service: filter.service ?? null,
    types: filter.execution_type ?? null,
    fingerprint: null,
    exact: narrowedElsewhere !== true,
  };
}

export function keptFilterOfSelector(selector: DlqSelector): KeptFilter {
  const narrowedElsewhere = selector.job_ids !== undefined || selector.error_class !== undefined || (selector.search ?? '') !== '';
  return { states: ['dead_letter'], queue: null, service: selector.service ?? null, types: null, fingerprint: selector.fingerprint ?? null, exact: !narrowedElsewhere };
}
