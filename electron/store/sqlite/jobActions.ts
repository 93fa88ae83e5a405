import type { Actor, DlqGroup, DlqSelector, Job } from '../../../shared/domain.ts';
import type { FailureGroup } from '../../../shared/views.ts';
import type { DlqRetried, DlqRetryPreview, FailureStore } from '../failureStore.ts';
import type { JobCancel, Page, PageRequest } from '../store.ts';
import type { SqliteDb } from './db.ts';
import { SqliteDlqRetryPreview } from './dlqRetryPreview.ts';
import { SqliteFailJob } from './failJob.ts';
import { SqliteFailures } from './failures.ts';
import { SqliteOperator } from './operator.ts';
import type { SqliteReads } from './reads.ts';
import type { SqliteSignals } from './signals.ts';

/**
 * The SQLite store's operator actions on jobs, its recent failures and its dead-letter queue, for the facade
 * (index.ts) to forward to: each call goes to the concern that does the work, and the jobs it changed are
 * announced.
 */
export class SqliteJobActions implements FailureStore {
  readonly #db: SqliteDb;
  readonly #signals: SqliteSignals;
  readonly #reads: SqliteReads;
  readonly #failures: SqliteFailures;
  readonly #operator: SqliteOperator;
  readonly #retryPreview: SqliteDlqRetryPreview;
  readonly #failJob: SqliteFailJob;

  constructor(db: SqliteDb, reads: SqliteReads, signals: SqliteSignals) {
    this.#db = db;
    this.#signals = signals;
    this.#reads = reads;
    this.#failures = new SqliteFailures(db);
    this.#operator = new SqliteOperator(db);
    this.#retryPreview = new SqliteDlqRetryPreview(db);
    this.#failJob = new SqliteFailJob(db);
  }

  // ---- operator actions on jobs ----------------------------------------------------------------

  async cancelJob(jobId: number, actor: Actor, reason: string | null): Promise<JobCancel | null> {
    const cancel = await this.#db.patient(() => this.#operator.cancelJob(jobId, actor, reason));
    return cancel?.changed ? this.#jobsChangedBy(cancel, false) : cancel;
  }

  async retryJob(jobId: number, actor: Actor): Promise<Job | null> {
    return this.#jobsChangedBy(await this.#db.patient(() => this.#operator.retryJob(jobId, actor)), true);
  }

  async failRunningJob(jobId: number, leaseOwner: string | null, actor: Actor, reason: string): Promise<Job | null> {
    return this.#jobsChangedBy(await this.#db.patient(() => this.#failJob.fail(jobId, leaseOwner, actor, reason)), false);
  }

  async recentFailures(since: Date, service: string | null, limit: number): Promise<{ groups: FailureGroup[]; total: number }> {
    return this.#db.patient(() => this.#failures.recent(since, service, limit));
  }

  // ---- dead-letter queue -----------------------------------------------------------------------

  async dlqGroups(filter: { search?: string; service?: string }): Promise<DlqGroup[]> {
    const { search } = filter;
    if (search !== undefined && search !== '') return this.#reads.searchedGroups({ search, service: filter.service });
    return this.#db.patient(() => this.#reads.keptGroups(filter.service));
  }

  async dlqCount(selector: DlqSelector): Promise<number> {
    if ((selector.search ?? '') !== '') return this.#reads.searchedDlqCount(selector);
    return this.#db.patient(() => this.#reads.dlqCount(selector));
  }

  async dlqList(selector: DlqSelector, page: PageRequest): Promise<Page<Job>> {
    return this.#db.patient(() => this.#reads.dlqList(selector, page));
  }

  async dlqRetry(selector: DlqSelector, actor: Actor): Promise<DlqRetried> {
    return this.#jobsChangedBy(await this.#db.patient(() => this.#operator.dlqRetry(selector, actor)), true);
  }

  async dlqRetryPreview(selector: DlqSelector): Promise<DlqRetryPreview> {
    return this.#db.patient(() => this.#retryPreview.preview(selector));
  }

  async dlqResolve(selector: DlqSelector, note: string, actor: Actor): Promise<number> {
    return this.#jobsChangedBy(await this.#db.patient(() => this.#operator.dlqResolve(selector, note, actor)), false);
  }

  async purgeResolvedCount(before: Date): Promise<number> {
    return this.#db.patient(() => this.#operator.purgeResolvedCount(before));
  }

  async purgeResolved(before: Date, actor: Actor): Promise<number> {
    return this.#jobsChangedBy(await this.#db.patient(() => this.#operator.purgeResolved(before, actor)), false);
  }

  #jobsChangedBy<T>(result: T, ready: boolean): T {
    this.#signals.jobsChanged(ready);
    return result;
  }
}
