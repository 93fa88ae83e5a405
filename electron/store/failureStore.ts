import type { Actor, DlqGroup, DlqSelector, Job } from '../../shared/domain.ts';
import { FAILURE_WINDOW_MAX_MINUTES } from '../../shared/views.ts';
import type { FailureGroup } from '../../shared/views.ts';
import type { Page, PageRequest } from './store.ts';

/** The Store's failures: the recent failed attempts, and the dead-letter queue's triage. */
export interface FailureStore {
  /**
   * Failed attempts from `since` on (a minute boundary), retrying or dead, grouped by service, failure class
   * and fingerprint from the per-minute failure rollups: the `limit` largest groups, and every failure's
   * count.
   */
  recentFailures(since: Date, service: string | null, limit: number): Promise<{ groups: FailureGroup[]; total: number }>;

  // ---- dead-letter queue (operator.ts and reads.ts of each dialect) ----------------------------
  // Text searches (here, in listJobs and listAudit) are plain, case-insensitive substrings: `%`, `_`
  // and quotes are matched as themselves.
  /** The largest groups, at most DLQ_GROUP_LIMIT of them. */
  dlqGroups(filter: { search?: string; service?: string }): Promise<DlqGroup[]>;
  dlqCount(selector: DlqSelector): Promise<number>;
  /** The open dead letters a selector matches, newest first, keyset-paginated like listJobs. */
  dlqList(selector: DlqSelector, page: PageRequest): Promise<Page<Job>>;
  /** Back to pending now with attempts reset; their errors stay in the attempt history. */
  dlqRetry(selector: DlqSelector, actor: Actor): Promise<number>;
  /** Marks them resolved with the note; they stay `failed` but leave the open list. */
  dlqResolve(selector: DlqSelector, note: string, actor: Actor): Promise<number>;
  /**
   * Resolved dead letters resolved before `before` are deleted with their attempts; a workflow task's is
   * left to retention, which prunes its run whole.
   */
  purgeResolvedCount(before: Date): Promise<number>;
  purgeResolved(before: Date, actor: Actor): Promise<number>;
}

/**
 * Failure rollups are read a day back at most (FAILURE_WINDOW_MAX_MINUTES): an hour past that they go, however
 * long the charts' history is kept, so the fold each round walks a day's rows, not a month's.
 */
export function failuresKeptFrom(historyBefore: Date, now = Date.now()): Date {
  return new Date(Math.max(historyBefore.getTime(), now - (FAILURE_WINDOW_MAX_MINUTES + 60) * 60_000));
}
