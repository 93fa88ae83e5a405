import { effectiveState } from '../../shared/breakerRecord.ts';
import type { Actor, BreakerMode, BreakerState, ControlState, DlqGroup, DlqSelector, Job } from '../../shared/domain.ts';
import { FAILURE_WINDOW_MAX_MINUTES } from '../../shared/views.ts';
import type { FailureGroup, HeldByBreaker } from '../../shared/views.ts';
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
  /**
   * The open dead letters a selector matches, keyset-paginated like listJobs: newest id first, but one
   * group's (a fingerprint alone, `listsByFailure`) newest failure first, as the console shows its times.
   */
  dlqList(selector: DlqSelector, page: PageRequest): Promise<Page<Job>>;
  /**
   * Back to pending now with attempts reset; their errors stay in the attempt history. What it says it
   * retried, and which breakers hold them, is counted in the retry's own transaction.
   */
  dlqRetry(selector: DlqSelector, actor: Actor): Promise<DlqRetried>;
  /**
   * What dlqRetry would do now, changing nothing: every figure read in one snapshot (one read transaction),
   * so a dry run and the retry that follows say the same when nothing changed in between.
   */
  dlqRetryPreview(selector: DlqSelector): Promise<DlqRetryPreview>;
  /** Marks them resolved with the note; they stay `failed` but leave the open list. */
  dlqResolve(selector: DlqSelector, note: string, actor: Actor): Promise<number>;
  /**
   * Resolved dead letters resolved before `before` are deleted with their attempts; a workflow task's is
   * left to retention, which prunes its run whole.
   */
  purgeResolvedCount(before: Date): Promise<number>;
  purgeResolved(before: Date, actor: Actor): Promise<number>;
}

/** A service and a queue a dead-letter retry sends jobs back to: what a worker must take for them to run. */
export interface RetriedLane {
  service_name: string;
  queue: string;
}

/** Which jobs a dead-letter retry sends back, as its audit row names them, and where they go. */
export interface RetriedJobs {
  /** The first AUDITED_JOB_IDS of them by id, and how many more there are. */
  job_ids: number[];
  job_ids_more: number;
  /** Each service and queue among them once, by service then queue. */
  lanes: RetriedLane[];
}

/** What a dead-letter retry sent back, and of it, what each service's breaker holds. */
export interface DlqRetried extends RetriedJobs {
  retried: number;
  /** By service name; only breakers dispatch obeys as not closed, as they stood in the retry's transaction. */
  held_by_breaker: HeldByBreaker[];
  /** The queues the retried jobs went back to, so what holds those queues can be said of them. */
  queues: string[];
}

/** What a dead-letter retry would send back now, and what would hold it, as one snapshot saw them. */
export interface DlqRetryPreview extends RetriedJobs {
  /** The open dead letters the selector matches: those a retry would send back. */
  matched: number;
  /** Of them, what each breaker dispatch obeys as not closed would hold, as dlqRetry counts it. */
  held_by_breaker: HeldByBreaker[];
  /** The queues they would go back to. */
  queues: string[];
  /** The control plane as it stood: what holds those queues (controlReasons). */
  control: ControlState;
  /** Of the selector's job_ids, those that are open dead letters (whatever else it names); null when it names none. */
  open_ids: number[] | null;
}

/**
 * The retried jobs a breaker holds (or would), from the retry's count per service and the breakers read in the same
 * transaction (a service without a breaker row is closed).
 */
export function heldByBreakers(retriedByService: Map<string, number>, breakers: { service_name: string; mode: BreakerMode; state: BreakerState }[]): HeldByBreaker[] {
  const held: HeldByBreaker[] = [];
  for (const breaker of breakers) {
    const jobs = retriedByService.get(breaker.service_name) ?? 0;
    const state = effectiveState(breaker);
    if (jobs > 0 && state !== 'closed') held.push({ service_name: breaker.service_name, mode: breaker.mode, state, jobs });
  }
  return held.sort((a, b) => (a.service_name < b.service_name ? -1 : a.service_name > b.service_name ? 1 : 0));
}

/**
 * Failure rollups are read a day back at most (FAILURE_WINDOW_MAX_MINUTES): an hour past that they go, however
 * long the charts' history is kept, so the fold each round walks a day's rows, not a month's.
 */
export function failuresKeptFrom(historyBefore: Date, now = Date.now()): Date {
  return new Date(Math.max(historyBefore.getTime(), now - (FAILURE_WINDOW_MAX_MINUTES + 60) * 60_000));
}

/** The lanes of jobs as a retry lists them: each service and queue once, by service then queue. */
export function lanesOf(jobs: Iterable<RetriedLane>): RetriedLane[] {
  const seen = new Map<string, RetriedLane>();
  for (const { service_name, queue } of jobs) seen.set(JSON.stringify([service_name, queue]), { service_name, queue });
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  // In JS for every dialect: a database's collation could order them otherwise.
  return [...seen.values()].sort((a, b) => order(a.service_name, b.service_name) || order(a.queue, b.queue));
}
