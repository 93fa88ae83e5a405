import type { Actor, DlqGroup, DlqSelector, Job } from '../../../shared/domain.ts';
import type { FailureGroup } from '../../../shared/views.ts';
import type { DlqRetried, DlqRetryPreview, FailureStore } from '../failureStore.ts';
import type { JobCancel, Page, PageRequest } from '../store.ts';
import type { PgDb } from './db.ts';
import { dlqRetryPreview } from './dlqRetryPreview.ts';
import { failRunningJob } from './failJob.ts';
import { cancelJob, dlqResolve, dlqRetry, purgeResolved, purgeResolvedCount, retryJob } from './operator.ts';
import * as reads from './reads.ts';
import type { PgSignals } from './signals.ts';

/**
 * The PostgreSQL store's operator actions on jobs, its recent failures and its dead-letter queue, for the
 * facade (index.ts) to forward to: each call goes to the concern that does the work, and the jobs it
 * changed are announced.
 */
export class PostgresJobActions implements FailureStore {
  /** The facade's pool, refused once the store is closed. */
  readonly #open: () => PgDb;
  readonly #signals: PgSignals;

  constructor(open: () => PgDb, signals: PgSignals) {
    this.#open = open;
    this.#signals = signals;
  }

  // ---- operator actions on jobs ----------------------------------------------------------------

  async cancelJob(jobId: number, actor: Actor, reason: string | null): Promise<JobCancel | null> {
    const cancel = await cancelJob(this.#open(), jobId, actor, reason);
    if (cancel?.changed) this.#signals.jobsChanged(false);
    return cancel;
  }

  async retryJob(jobId: number, actor: Actor): Promise<Job | null> {
    const job = await retryJob(this.#open(), jobId, actor);
    if (job) this.#signals.jobsChanged(true);
    return job;
  }

  async failRunningJob(jobId: number, leaseOwner: string | null, actor: Actor, reason: string): Promise<Job | null> {
    const job = await failRunningJob(this.#open(), jobId, leaseOwner, actor, reason);
    if (job) this.#signals.jobsChanged(false);
    return job;
  }

  async recentFailures(since: Date, service: string | null, limit: number): Promise<{ groups: FailureGroup[]; total: number }> {
    return reads.recentFailures(this.#open(), since, service, limit);
  }

  // ---- dead-letter queue -----------------------------------------------------------------------

  async dlqGroups(filter: { search?: string; service?: string }): Promise<DlqGroup[]> {
    return reads.dlqGroups(this.#open(), filter);
  }

  async dlqCount(selector: DlqSelector): Promise<number> {
    return reads.dlqCount(this.#open(), selector);
  }

  async dlqList(selector: DlqSelector, page: PageRequest): Promise<Page<Job>> {
    return reads.dlqList(this.#open(), selector, page);
  }

  async dlqRetry(selector: DlqSelector, actor: Actor): Promise<DlqRetried> {
    const result = await dlqRetry(this.#open(), selector, actor);
    this.#jobsChangedBy(result.retried, true);
    return result;
  }

  async dlqRetryPreview(selector: DlqSelector): Promise<DlqRetryPreview> {
    return dlqRetryPreview(this.#open(), selector);
  }

  async dlqResolve(selector: DlqSelector, note: string, actor: Actor): Promise<number> {
    return this.#jobsChangedBy(await dlqResolve(this.#open(), selector, note, actor), false);
  }

  async purgeResolvedCount(before: Date): Promise<number> {
    return purgeResolvedCount(this.#open(), before);
  }

  async purgeResolved(before: Date, actor: Actor): Promise<number> {
    return this.#jobsChangedBy(await purgeResolved(this.#open(), before, actor), false);
  }

  #jobsChangedBy(count: number, ready: boolean): number {
    if (count > 0) this.#signals.jobsChanged(ready);
    return count;
  }
}
