import type {
  Actor,
  Attempt,
  AuditEntry,
  CancelRequest,
  ExecutionType,
  Job,
  JobFilter,
  JsonObject,
  LatencyByType,
  QueueCount,
  ResourceUsage,
  ThroughputBucket,
  WorkerPool,
} from '../../shared/domain.ts';
import type { ServiceGate } from '../../shared/rateLimit.ts';
import type { StoreDiagnostics } from '../../shared/diagnosis.ts';
import type { AlertStore } from './alertStore.ts';
import type { ApiKeyStore } from './apiKeyStore.ts';
import type { BreakerStore } from './breakerStore.ts';
import type { ControlStore } from './controlStore.ts';
import type { FailureStore } from './failureStore.ts';
import type { ScheduleStore } from './scheduleStore.ts';
import type { UpkeepStore } from './upkeepStore.ts';
import type { WorkerStore } from './workerStore.ts';
import type { WorkflowStore } from './workflowStore.ts';

/** A cancel's job after it; whether it changed it; for a running job, the request to stop in force. */
export interface JobCancel {
  job: Job;
  changed: boolean;
  /** Null for a pending job cancelled at once, or a request whose audit row is gone. */
  request: CancelRequest | null;
}

/** The most groups dlqGroups returns: the largest, by their count of open dead letters. */
export const DLQ_GROUP_LIMIT = 1000;

export type { AlertDelivery, AlertTransition, EvaluatedRule, ServiceOutcomes } from './alertStore.ts';
export type { FireOutcome, FirePlan, FireWork, SchedulePauseChange, ScheduleSync, ScheduleWrite } from './scheduleStore.ts';
export { fireKeyOf } from './scheduleStore.ts';
export type { CountDrift, HoursSummed, MaintenanceHolder, MigrationStatus, PruneBatch, PruneCounts, PruneEstimate, SpaceReport } from './upkeepStore.ts';

/**
 * The most lanes (queue, service and priority holding pending jobs) a read of the queues' oldest jobs
 * takes on: about 25 µs a lane on SQLite, on the engine's own event loop, every two seconds while a
 * console is open, so at most about 13 ms; 7 µs on PostgreSQL.
 */
export const LANES_READ_MOST = 500;

/** A PostgreSQL pool: connections in use (lent out, or opening), the most it opens, callers waiting for one. */
export interface PoolUse {
  in_use: number;
  max: number;
  waiting: number;
}

/**
 * Whose limit on new connections is the tightest, and how many connections count against it: the server's
 * (max_connections, less the slots kept for superusers when the role is none), the database's or the
 * role's CONNECTION LIMIT. At it, the server refuses every new connection to that database as that role.
 */
export interface ConnectionRoom {
  limit: 'server' | 'database' | 'role';
  /** The database's or the role's name; null for the server's. */
  name: string | null;
  in_use: number;
  max: number;
}

/** A queue and the earliest run_at of its pending jobs. */
export interface QueueOldest {
  queue: string;
  run_at: string;
}

/** A queue asked about by name: the earliest run_at of its pending jobs, when it has some and was read. */
export interface QueueOldestOf {
  queue: string;
  run_at: string | null;
  read: boolean;
}

/**
 * The one place where jobs, attempts, control state, breakers, workers and the audit log are kept.
 * Two implementations (sqlite/, postgres/) pass the same contract suite. Every method that changes
 * a job changes its attempt row in the same transaction; every bulk method is all or nothing.
 */
export interface Store extends ScheduleStore, WorkflowStore, AlertStore, FailureStore, UpkeepStore, ControlStore, BreakerStore, WorkerStore, ApiKeyStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the data lives, with any password removed: safe to print. */
  readonly location: string;
  close(): Promise<void>;
  /**
   * Version, size, slowest statements and notes, read on a short-lived connection of its own: what cannot be
   * read is a note, never an error (a closed store still rejects).
   */
  diagnostics(): Promise<StoreDiagnostics>;
  /** The password of the URL the store was opened with, as written and decoded, for redaction; none for SQLite. */
  connectionSecrets(): string[];
  /** This process's pool of PostgreSQL connections as it stands, read without I/O; null for SQLite, which has none. */
  poolUse(): PoolUse | null;
  /**
   * What this process's pool went through since the last call: its size, the most connections in use and
   * callers waiting at once, the longest wait. Each call starts the next period; the engine's heartbeat is
   * the one caller. Null for SQLite.
   */
  takePoolPeaks(): WorkerPool | null;
  /**
   * The connections counted against the tightest limit the PostgreSQL server puts on new ones for this
   * store's role and database, read now (one statement); null for SQLite.
   */
  connectionRoom(): Promise<ConnectionRoom | null>;
  /**
   * Whether the data is intact, as far as the dialect can tell without reading for minutes: SQLite's
   * `PRAGMA quick_check` of the whole file (seconds at hundreds of megabytes, on a thread of its own),
   * PostgreSQL's data checksums and the failures they counted. Not for a path polled every few seconds.
   */
  integrity(): Promise<IntegrityReport>;

  // ---- jobs: the hot path ------------------------------------------------------------------------
  /** Idempotent by identifier: an existing identifier returns the existing job with created=false. */
  enqueue(jobs: NewJob[]): Promise<EnqueueResult[]>;
  /**
   * Leases up to `limit` runnable jobs (pending, run_at <= now) to one worker, highest priority first,
   * then oldest run_at. Returns nothing while the emergency stop or safe mode is engaged, and never a job
   * of a paused queue: that is checked inside the claim's own transaction.
   */
  claim(request: ClaimRequest): Promise<ClaimedJob[]>;
  /** Extends the leases this worker still holds; returns the ids it still holds. */
  extendLeases(workerId: string, jobIds: number[], leaseMs: number): Promise<number[]>;
  /**
   * Records the end of attempts, in one transaction. Fenced: a settlement lands only if the job is still
   * running under this worker's lease and this attempt; the ids that landed are returned.
   */
  settle(settlements: Settlement[]): Promise<number[]>;
  /**
   * Of settlements sent before without an answer (the connection dropped, maybe after the commit) that do
   * not land when sent again, the job ids whose attempt is recorded as each says, by its worker: an earlier
   * try committed them. A hand-back of a job that never started records no attempt, so it is never among them.
   */
  settledEarlier(settlements: Settlement[]): Promise<number[]>;
  /**
   * Takes back running jobs whose lease expired; each attempt is recorded `lost` and spent. While the
   * emergency stop is engaged they are recorded `interrupted` instead and the attempt is not spent.
   * A job an operator asked to cancel is cancelled instead: the worker that was to stop it is gone.
   * `settling`: attempts the calling worker holds and will settle itself (it stopped them while the
   * store was unreachable, say): left to that settle, however long ago their leases ran out. `owner`: only
   * the jobs leased to that worker are taken back (a worker that lost the store leaves the others' to their
   * own workers for a while after it answers again: watchdog.ts). `now`: the leases that ran out before it
   * are taken back (that worker asks for the others' that ran out before it lost the store), while what is
   * written carries the real time.
   */
  reclaimExpired(now?: Date, settling?: readonly number[], owner?: string): Promise<ReclaimResult>;

  // ---- jobs: reads -------------------------------------------------------------------------------
  /** A number is an id, a text an identifier, digits too: which a caller's text means is the API's to decide (api/jobReference.ts). */
  getJob(idOrIdentifier: number | string): Promise<Job | null>;
  listAttempts(jobId: number): Promise<Attempt[]>;
  /** Newest first, keyset-paginated by id: a page never repeats or skips rows while jobs are added. */
  listJobs(filter: JobFilter, page: PageRequest): Promise<Page<Job>>;
  /** Read from the counts kept as jobs move (never a scan of the job table). */
  countsByQueueAndStatus(): Promise<QueueCount[]>;
  /** Open dead letters (failed, not resolved) in every queue, from the same kept counts. */
  deadLetterCount(): Promise<number>;
  /** Open dead letters per queue, from the same kept counts; a queue with none is left out. */
  deadLettersByQueue(): Promise<Record<string, number>>;
  runningByService(): Promise<Record<string, number>>;
  /** Pending jobs per service (due or not), from the kept counts. */
  pendingByService(): Promise<Record<string, number>>;
  /** Completed and dead-lettered jobs per bucket (whole minutes), from the per-minute rollups. */
  throughput(since: Date, bucketSeconds: number): Promise<ThroughputBucket[]>;
  /** Percentiles of completed jobs' durations per type, from the rollups' duration buckets. */
  latencyByType(since: Date): Promise<LatencyByType[]>;
  /**
   * Per execution type since the minute holding `since`: the rollups' sums and the completed jobs' duration
   * buckets as kept, so a caller can read any percentile of any set of types (`metrics.byType`). Whole
   * hours summed by `sumRollupHours` are read as such, the minutes around them as minutes.
   */
  rollupsByType(since: Date): Promise<TypeRollups>;
  /**
   * Per execution type and service since the minute holding `since`, of one service or (null) of every
   * one: whole hours from the hours summed per service (SQLite 0035, PostgreSQL 0049), the minutes around
   * them as minutes; asked only for figures per service.
   */
  rollupsByService(since: Date, service: string | null): Promise<ServiceRollups>;
  /** The earliest run_at of any pending job (due or not), found without reading the backlog. */
  oldestPendingRunAt(): Promise<string | null>;
  /**
   * For each queue with pending jobs, the earliest run_at of any of them (due or not), in queue order:
   * found lane by lane (queue, service and priority), a seek or three each, without reading the backlog.
   * Null when that would read more than LANES_READ_MOST lanes: the read grows with the lanes, and the
   * overview makes it every two seconds.
   */
  oldestPendingByQueue(): Promise<QueueOldest[] | null>;
  /**
   * The same for each of `queues`, in the order given, once each: `run_at` null when the queue has no
   * pending job, `read` false for a queue whose lanes no longer fit in the LANES_READ_MOST that all of
   * them share (it and the queues after it).
   */
  oldestPendingOf(queues: readonly string[]): Promise<QueueOldestOf[]>;
  /** Pending jobs not yet due, counted up to `limit` (the count stops there). */
  scheduledCount(limit: number): Promise<number>;
  /**
   * The same jobs per queue, read from the same index entries (a queue's with them), `limit` in all: when
   * the counts add up to `limit` the count stopped there, and each queue's may be short.
   */
  scheduledByQueue(limit: number): Promise<Record<string, number>>;
  /** Running jobs whose lease has expired (their worker stopped renewing it). */
  stuckCount(): Promise<number>;
  /** How many jobs a filter matches (stuck jobs, jobs of one service waiting, ...). */
  countJobs(filter: JobFilter): Promise<number>;
  /** Jobs whose cancel was requested while they ran under this worker. */
  cancelRequested(workerId: string): Promise<number[]>;
  /**
   * The attempts the store has running under this worker: after a claim whose answer never came, the
   * worker hands back the ones it does not know it holds.
   */
  leasedAttempts(workerId: string): Promise<LeasedAttempt[]>;

  // ---- operator actions on jobs (each writes its audit row in the same transaction) --------------
  // Each returns the job after the action, or null when there is no such job. A job in a state the
  // action does not apply to (cancel a completed job, retry a running one) comes back unchanged and
  // no audit row is written, so a caller tells "refused" from "done" by the returned status (a cancel
  // by `changed`).
  /**
   * pending → cancelled at once; running → cancel_requested (its worker stops it, see cancelRequested).
   * A running job whose cancel was requested already is left as it is, unaudited, `changed` false, with
   * the request in force: decided under the job's lock, so of two operators at once one is told it asked.
   */
  cancelJob(jobId: number, actor: Actor, reason: string | null): Promise<JobCancel | null>;
  /** failed (resolved or not) or cancelled → pending now, attempts reset; the attempt history stays. */
  retryJob(jobId: number, actor: Actor): Promise<Job | null>;
  /**
   * running → failed now, into the dead-letter queue, for a job whose worker is gone (failJob.ts of each
   * dialect). Fenced on the lease: only while the job is still running under `leaseOwner`. Its attempt is
   * recorded failed (error class `operator`) and the action audited (`job.fail`) in the same transaction;
   * the counts move as a settle's failure would move them.
   */
  failRunningJob(jobId: number, leaseOwner: string | null, actor: Actor, reason: string): Promise<Job | null>;

  // ---- audit -------------------------------------------------------------------------------------
  audit(entry: NewAuditEntry): Promise<void>;
  listAudit(filter: { action?: string; search?: string }, page: PageRequest): Promise<Page<AuditEntry>>;

  // ---- signals -----------------------------------------------------------------------------------
  /**
   * Tells this process when control, breakers or jobs changed, here or in any other process sharing
   * the store (PostgreSQL: LISTEN/NOTIFY; SQLite: a PRAGMA data_version poll every 250 ms while anyone
   * listens). Signals are coalesced, not counted. Returns the unsubscribe function.
   */
  subscribe(listener: (signal: StoreSignal) => void): () => void;
}

/** What finished per execution type in a window, from the per-minute rollups; types with nothing are left out. */
export interface TypeRollups {
  /** Completed and dead-lettered (`failed`) jobs, and attempts that failed with another to follow (`retried`). */
  outcomes: Array<{ execution_type: string; completed: number; failed: number; retried: number }>;
  /** Completed jobs per duration bucket (shared/latencyBuckets.ts), one row per type and bucket. */
  latency: Array<{ execution_type: string; bucket: number; n: number }>;
}

/** As TypeRollups, a row per type and service: what `rollupsByService` hands over. */
export interface ServiceRollups {
  outcomes: Array<TypeRollups['outcomes'][number] & { service_name: string }>;
  latency: Array<TypeRollups['latency'][number] & { service_name: string }>;
}

/** What an integrity check found: `ok` false names the damage; `warning` says it could check less than it should. */
export interface IntegrityReport {
  ok: boolean;
  warning: boolean;
  detail: string;
}

/** What a dialect's settle wrote: the jobs it recorded, and whether it may have made jobs claimable (StoreSignal). */
export interface SettleOutcome {
  landed: number[];
  readied: boolean;
}

/**
 * `jobs`: jobs changed in any way (a console refreshes). `ready`: besides, some may have become claimable:
 * added, put back, retried, or let go by a finished workflow task; a worker claims on it. Claims and plain
 * completions change jobs but ready none, so a fleet's settles do not wake every idle worker; a worker
 * whose last claim a service's concurrency held back claims again on `jobs` too (a finished job frees room).
 */
export type StoreSignal = 'control' | 'breakers' | 'jobs' | 'ready' | 'workers';

export interface NewJob {
  identifier?: string;
  queue: string;
  service_name: string;
  execution_type: ExecutionType;
  payload?: unknown;
  priority?: number;
  max_attempts: number;
  run_at?: string;
}

export interface EnqueueResult {
  id: number;
  identifier: string;
  created: boolean;
}

export interface ClaimRequest {
  workerId: string;
  limit: number;
  leaseMs: number;
  /** Only these queues; all when absent. */
  queues?: string[];
  /** Never these services (breaker open, or at their concurrency cap). */
  excludeServices?: string[];
  /** At most this many more jobs of a service in this claim. */
  serviceCaps?: Record<string, number>;
  /**
   * Services with a rate limit or a fleet-wide concurrency cap: claimed only within it, checked inside
   * the claim's own transaction so it holds across every worker; left out of the rest of the claim.
   */
  gates?: ServiceGate[];
}

export interface ClaimedJob {
  id: number;
  identifier: string;
  queue: string;
  service_name: string;
  execution_type: ExecutionType;
  payload: unknown;
  priority: number;
  /** The number of this attempt, 1-based, counting this one. */
  attempt: number;
  max_attempts: number;
  attempt_id: number;
  lease_expires_at: string;
  /**
   * How often a worker stopped the job before this attempt because the store did not confirm its lease
   * (settlements with `lease_unconfirmed`): past a few, the next one spends an attempt (engine/classify.ts).
   */
  interruptions: number;
}

export interface JobError {
  message: string;
  error_class: string;
  fingerprint: string;
}

interface SettlementBase {
  jobId: number;
  attemptId: number;
  workerId: string;
  output_tail?: string | null;
  resource_usage?: ResourceUsage | null;
  security_context?: JsonObject | null;
  /**
   * When the attempt ended, for a settle sent long after (its worker stopped the job because the store was
   * unreachable, and settles it once the store answers again); absent: when the settle lands.
   */
  ended_at?: string;
  /**
   * How long the attempt ran, in ms on its worker's steady clock, for an attempt that ran: the store dates the
   * run's start this long before its end (`ended_at`, else the settle), never before the claim, on the job and
   * its attempt, and measures its duration from there, not from the claim. A job claimed ahead of a free slot
   * waits in its worker's buffer, leased and shown running since its claim, before it starts; a length, not a
   * time, so a worker's clock that disagrees with the store's moves no duration. Absent (a hand-back, a worker
   * of a version before), or what no run can have (runStart.ts), never refused: the claim.
   */
  run_ms?: number;
  /** Its worker stopped the attempt because the store did not confirm its lease: counted in the job's `interruptions`. */
  lease_unconfirmed?: true;
}

export type Settlement =
  | (SettlementBase & { kind: 'completed' })
  /** Back to pending at `run_at`; the attempt is spent. */
  | (SettlementBase & { kind: 'retry'; error: JobError; run_at: string; outcome: 'failed' | 'timed_out' })
  /** Into the dead-letter queue. */
  | (SettlementBase & { kind: 'failed'; error: JobError; outcome: 'failed' | 'timed_out' })
  /**
   * Back to pending without spending the attempt (emergency stop, shutdown, open breaker). `ran` is false
   * for a job handed back before its runner started (claimed ahead, then dispatch stopped): the store
   * records no attempt of it and the job shows no start, so nobody reads it as having run.
   */
  | (SettlementBase & { kind: 'interrupted'; reason: string; ran: boolean })
  /** The operator cancelled it; `ran` as for an interruption (cancelled while claimed ahead: false). */
  | (SettlementBase & { kind: 'cancelled'; reason: string; ran: boolean });

export interface ReclaimResult {
  /** Back to pending for another attempt. */
  retried: number[];
  /** Out of attempts: into the dead-letter queue. */
  failed: number[];
  /** An operator had asked to cancel them: cancelled, not run again because their worker went away. */
  cancelled: number[];
}

export interface PageRequest {
  limit: number;
  /** Opaque cursor from the previous page's `next_cursor`. */
  after?: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** One attempt the store has running under a worker (Store.leasedAttempts). */
export interface LeasedAttempt {
  jobId: number;
  attemptId: number;
  /** When its lease runs out unless the worker extends it: then the job counts as stuck, and a live worker takes it back. */
  leaseExpiresAt: string | null;
}

export interface NewAuditEntry {
  actor: Actor;
  action: string;
  target?: string | null;
  job_count?: number | null;
  details?: JsonObject | null;
}
