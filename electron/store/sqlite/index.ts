import type BetterSqlite3 from 'better-sqlite3';
import { EXECUTION_TYPES } from '../../../shared/domain.ts';
import type {
  Actor,
  Attempt,
  AuditEntry,
  BreakerMode,
  BreakerRecord,
  ControlState,
  DlqGroup,
  DlqSelector,
  Job,
  JobFilter,
  JsonObject,
  LatencyByType,
  QueueCount,
  ThroughputBucket,
  WorkerInfo,
  WorkerState,
} from '../../../shared/domain.ts';
import { ExecutionType } from '../../../shared/domain.ts';
import { actorName, ENGINE_ACTOR } from '../actor.ts';
import { fillBuckets } from '../buckets.ts';
import { clampLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import { StoreInputError } from '../errors.ts';
import { enqueueBatch, prepareEnqueue } from './enqueue.ts';
import { mapSqliteError } from './errors.ts';
import { auditWhere, dlqWhere, isoTime, jobWhere } from './filters.ts';
import type { Where } from './filters.ts';
import type { Checkpointer } from './checkpointer.ts';
import { JOB_COLUMNS, parseJson, toAttempt, toAudit, toBreaker, toControl, toJob, toJson, toWorker } from './rows.ts';
import type { AttemptRow, AuditRow, BreakerRow, ControlRow, JobRow, PausedQueueRow, WorkerRow } from './rows.ts';
import type {
  BreakerTransition,
  ClaimRequest,
  ClaimedJob,
  EnqueueResult,
  MigrationStatus,
  NewAuditEntry,
  NewJob,
  Page,
  PageRequest,
  ReclaimResult,
  Settlement,
  Store,
  StoreSignal,
  WorkerRegistration,
} from '../store.ts';

type Db = BetterSqlite3.Database;
type Params = Record<string, string | number | null>;
type Bind = Array<string | number | null>;

/** Polling for other processes' commits: PRAGMA data_version is one page read, cheap at this rate. */
const POLL_MS = 250;
/**
 * When a worker registers, stopped workers older than a day are forgotten, and any worker silent for a
 * week (a laptop that slept through a weekend still shows as lost, not gone).
 */
const FORGET_STOPPED_MS = 24 * 3_600_000;
const FORGET_SILENT_MS = 7 * 24 * 3_600_000;
const NO_CURSOR = Number.MAX_SAFE_INTEGER;

const now = () => new Date().toISOString();

interface ClaimRow {
  id: number;
  identifier: string;
  queue: string;
  service_name: string;
  execution_type: string;
  payload: string;
  priority: number;
  attempts: number;
  max_attempts: number;
}

interface GroupRow {
  fingerprint: string;
  count: number;
  first_seen: string;
  last_seen: string;
  services: string;
  types: string;
  sample_job_id: number;
  sample_error: string | null;
}

interface ExpiredRow {
  id: number;
  attempts: number;
  max_attempts: number;
  service_name: string;
  lease_owner: string | null;
  attempt_id: number | null;
  cancel_requested: number;
}

/**
 * Every statement the hot paths and operator actions run, prepared once. Positional statements for
 * one-or-two parameter reads, named (@x) ones where a statement takes many values.
 * `+status` keeps the planner on rowid lookups of an id list instead of walking every pending row
 * through the claim index; INDEXED BY pins claim to the index that yields rows in dispatch order.
 */
export function prepareStatements(db: Db) {
  // The per-job statements bind positionally: binding by name costs a property lookup per value,
  // which shows at tens of thousands of jobs a second. Their parameter order is spelled out beside them.
  const fence = `id = ? AND status = 'running' AND lease_owner = ?
    AND EXISTS (SELECT 1 FROM tb_job_attempt a WHERE a.id = ? AND a.job_id = tb_job_run.id AND a.outcome = 'running')`;
  const kept = `resource_usage = coalesce(?, resource_usage), security_context = coalesce(?, security_context)`;
  const released = `updated_at = ?, lease_owner = NULL, lease_expires_at = NULL`;
  return {
    control: db.prepare<[], ControlRow>(`SELECT * FROM tb_control WHERE id = 1`),
    pausedQueues: db.prepare<[], PausedQueueRow>(`SELECT queue, paused_by, paused_at, reason FROM tb_paused_queue ORDER BY queue`),
    candidates: db.prepare<[Params], { id: number; service_name: string }>(
      `SELECT id, service_name FROM tb_job_run INDEXED BY idx_tb_job_run_claim
       WHERE status = 'pending' AND run_at <= @now
         AND (@queues IS NULL OR queue IN (SELECT value FROM json_each(@queues)))
         AND service_name NOT IN (SELECT value FROM json_each(@exclude))
         AND id NOT IN (SELECT value FROM json_each(@skip))
         AND queue NOT IN (SELECT queue FROM tb_paused_queue)
       ORDER BY priority DESC, run_at, id
       LIMIT @limit`,
    ),
    lease: db.prepare<[Params], ClaimRow>(
      `UPDATE tb_job_run
       SET status = 'running', attempts = attempts + 1, lease_owner = @worker, lease_expires_at = @lease,
           started_at = @now, updated_at = @now, cancel_requested = 0
       WHERE id IN (SELECT value FROM json_each(@ids)) AND +status = 'pending'
       RETURNING id, identifier, queue, service_name, execution_type, payload, priority, attempts, max_attempts`,
    ),
    openAttempts: db.prepare<[Params], { id: number; job_id: number }>(
      `INSERT INTO tb_job_attempt (job_id, attempt, worker_id, started_at, outcome)
       SELECT id, attempts, @worker, @now, 'running' FROM tb_job_run WHERE id IN (SELECT value FROM json_each(@ids))
       RETURNING id, job_id`,
    ),
    extend: db.prepare<[Params], { id: number }>(
      `UPDATE tb_job_run SET lease_expires_at = @lease
       WHERE id IN (SELECT value FROM json_each(@ids)) AND +status = 'running' AND lease_owner = @worker
       RETURNING id`,
    ),
    /** now, now, usage, security, job, worker, attempt */
    settleCompleted: db.prepare<Bind>(`UPDATE tb_job_run SET status = 'completed', completed_at = ?, ${released}, ${kept} WHERE ${fence}`),
    /** run_at, now, error, fingerprint, usage, security, job, worker, attempt */
    settleRetry: db.prepare<Bind>(
      `UPDATE tb_job_run SET status = 'pending', run_at = ?, ${released}, error_message = ?, error_fingerprint = ?, ${kept}
       WHERE ${fence}`,
    ),
    /** now, now, error, fingerprint, usage, security, job, worker, attempt */
    settleFailed: db.prepare<Bind>(
      `UPDATE tb_job_run SET status = 'failed', completed_at = ?, ${released}, error_message = ?, error_fingerprint = ?,
         resolved_at = NULL, resolution = NULL, ${kept}
       WHERE ${fence}`,
    ),
    /** now, now, usage, security, job, worker, attempt */
    settleInterrupted: db.prepare<Bind>(
      `UPDATE tb_job_run SET status = 'pending', attempts = max(attempts - 1, 0), run_at = ?, ${released}, ${kept} WHERE ${fence}`,
    ),
    /** now, now, usage, security, job, worker, attempt */
    settleCancelled: db.prepare<Bind>(`UPDATE tb_job_run SET status = 'cancelled', completed_at = ?, ${released}, ${kept} WHERE ${fence}`),
    /** outcome, now, error, error_class, tail, usage, attempt */
    closeAttempt: db.prepare<Bind>(
      `UPDATE tb_job_attempt SET outcome = ?, finished_at = ?, error_message = ?, error_class = ?, output_tail = ?, resource_usage = ?
       WHERE id = ?`,
    ),
    expired: db.prepare<[string], ExpiredRow>(
      `SELECT j.id, j.attempts, j.max_attempts, j.service_name, j.lease_owner, j.cancel_requested, a.id AS attempt_id
       FROM tb_job_run j LEFT JOIN tb_job_attempt a ON a.job_id = j.id AND a.outcome = 'running'
       WHERE j.status = 'running' AND j.lease_expires_at < ?
       ORDER BY j.id`,
    ),
    reclaimJob: db.prepare<[Params]>(
      `UPDATE tb_job_run
       SET status = @status, attempts = attempts - @refund, run_at = CASE WHEN @status = 'pending' THEN @now ELSE run_at END,
           completed_at = CASE WHEN @status IN ('failed', 'cancelled') THEN @now ELSE completed_at END,
           error_message = coalesce(@error, error_message), error_fingerprint = coalesce(@fingerprint, error_fingerprint),
           updated_at = @now, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = @job AND status = 'running'`,
    ),
    jobById: db.prepare<[number], JobRow>(`SELECT ${JOB_COLUMNS} FROM tb_job_run WHERE id = ?`),
    jobByIdentifier: db.prepare<[string], JobRow>(`SELECT ${JOB_COLUMNS} FROM tb_job_run WHERE identifier = ?`),
    attempts: db.prepare<[number], AttemptRow>(`SELECT * FROM tb_job_attempt WHERE job_id = ? ORDER BY id`),
    // One part per state, each read from that state's own index alone (migration 0003).
    counts: db.prepare<[], QueueCount>(
      `SELECT queue, status, count(*) AS count FROM tb_job_run WHERE status = 'pending' GROUP BY queue
       UNION ALL SELECT queue, status, count(*) FROM tb_job_run WHERE status = 'running' GROUP BY queue
       UNION ALL SELECT queue, status, count(*) FROM tb_job_run WHERE status = 'completed' GROUP BY queue
       UNION ALL SELECT queue, status, count(*) FROM tb_job_run WHERE status = 'failed' GROUP BY queue
       UNION ALL SELECT queue, status, count(*) FROM tb_job_run WHERE status = 'cancelled' GROUP BY queue
       ORDER BY queue, status`,
    ),
    runningByService: db.prepare<[], { service_name: string; n: number }>(
      `SELECT service_name, count(*) AS n FROM tb_job_run WHERE status = 'running' GROUP BY service_name`,
    ),
    throughput: db.prepare<[Params], { bucket: number; completed: number; failed: number }>(
      `SELECT CAST(strftime('%s', completed_at) AS INTEGER) / CAST(@step AS INTEGER) * CAST(@step AS INTEGER) AS bucket,
              sum(status = 'completed') AS completed, sum(status = 'failed') AS failed
       FROM tb_job_run INDEXED BY idx_tb_job_run_completed_at WHERE completed_at >= @since AND status IN ('completed', 'failed')
       GROUP BY bucket`,
    ),
    latency: db.prepare<[string], { execution_type: string; count: number; p50: number | null; p95: number | null }>(
      `WITH d AS (
         SELECT execution_type, (julianday(completed_at) - julianday(started_at)) * 86400000.0 AS ms
         FROM tb_job_run INDEXED BY idx_tb_job_run_completed_at
         WHERE completed_at >= ? AND status = 'completed' AND started_at IS NOT NULL
       ), r AS (
         SELECT execution_type, ms, row_number() OVER (PARTITION BY execution_type ORDER BY ms) AS rn,
                count(*) OVER (PARTITION BY execution_type) AS n
         FROM d
       )
       SELECT execution_type, max(n) AS count,
              max(CASE WHEN rn = (n * 50 + 99) / 100 THEN ms END) AS p50,
              max(CASE WHEN rn = (n * 95 + 99) / 100 THEN ms END) AS p95
       FROM r GROUP BY execution_type`,
    ),
    oldestPending: db.prepare<[], { run_at: string | null }>(`SELECT min(run_at) AS run_at FROM tb_job_run WHERE status = 'pending'`),
    cancelRequested: db.prepare<[string], { id: number }>(
      `SELECT id FROM tb_job_run WHERE status = 'running' AND lease_owner = ? AND cancel_requested = 1 ORDER BY id`,
    ),
    cancelPending: db.prepare<[Params]>(
      `UPDATE tb_job_run SET status = 'cancelled', completed_at = @now, updated_at = @now WHERE id = @job AND status = 'pending'`,
    ),
    requestCancel: db.prepare<[Params]>(
      `UPDATE tb_job_run SET cancel_requested = 1, updated_at = @now WHERE id = @job AND status = 'running'`,
    ),
    retryJob: db.prepare<[Params]>(
      `UPDATE tb_job_run SET status = 'pending', attempts = 0, run_at = @now, updated_at = @now, completed_at = NULL,
         resolved_at = NULL, resolution = NULL, lease_owner = NULL, lease_expires_at = NULL, cancel_requested = 0
       WHERE id = @job AND status IN ('failed', 'cancelled')`,
    ),
    purgeCount: db.prepare<[string], { n: number }>(
      `SELECT count(*) AS n FROM tb_job_run WHERE status = 'failed' AND resolved_at IS NOT NULL AND resolved_at < ?`,
    ),
    purgeAttempts: db.prepare<[string]>(
      `DELETE FROM tb_job_attempt WHERE job_id IN
         (SELECT id FROM tb_job_run WHERE status = 'failed' AND resolved_at IS NOT NULL AND resolved_at < ?)`,
    ),
    // Before a purge deletes the newest jobs: enqueue starts above this, so their ids are never reused.
    raiseJobIdFloor: db.prepare(`UPDATE tb_job_id_floor SET last_id = max(last_id, coalesce((SELECT max(id) FROM tb_job_run), 0))`),
    purgeJobs: db.prepare<[string]>(`DELETE FROM tb_job_run WHERE status = 'failed' AND resolved_at IS NOT NULL AND resolved_at < ?`),
    setEmergencyStop: db.prepare<[Params]>(
      `UPDATE tb_control SET emergency_stop = @on, emergency_stop_by = @by, emergency_stop_at = @now,
         emergency_stop_reason = @reason, version = version + 1 WHERE id = 1`,
    ),
    setSafeMode: db.prepare<[Params]>(
      `UPDATE tb_control SET safe_mode = @on, safe_mode_by = @by, safe_mode_at = @now, safe_mode_reason = @reason,
         version = version + 1 WHERE id = 1`,
    ),
    pauseQueue: db.prepare<[Params]>(
      `INSERT INTO tb_paused_queue (queue, paused_by, paused_at, reason) VALUES (@queue, @by, @now, @reason)
       ON CONFLICT (queue) DO UPDATE SET paused_by = excluded.paused_by, paused_at = excluded.paused_at, reason = excluded.reason`,
    ),
    resumeQueue: db.prepare<[string]>(`DELETE FROM tb_paused_queue WHERE queue = ?`),
    bumpControl: db.prepare<[]>(`UPDATE tb_control SET version = version + 1 WHERE id = 1`),
    breakers: db.prepare<[], BreakerRow>(`SELECT * FROM tb_breaker ORDER BY service_name`),
    breaker: db.prepare<[string], BreakerRow>(`SELECT * FROM tb_breaker WHERE service_name = ?`),
    insertBreaker: db.prepare<[Params]>(
      `INSERT INTO tb_breaker (service_name, state, mode, window_started_at, window_failures, window_successes, prev_failures,
         prev_successes, opened_at, probes_in_flight, probe_started_at, last_transition_at, last_error, mode_set_by,
         mode_set_at, mode_reason, version)
       VALUES (@service_name, @state, @mode, @window_started_at, @window_failures, @window_successes, @prev_failures,
         @prev_successes, @opened_at, @probes_in_flight, @probe_started_at, @last_transition_at, @last_error, @mode_set_by,
         @mode_set_at, @mode_reason, @version)
       ON CONFLICT (service_name) DO NOTHING`,
    ),
    updateBreaker: db.prepare<[Params]>(
      `UPDATE tb_breaker SET state = @state, mode = @mode, window_started_at = @window_started_at,
         window_failures = @window_failures, window_successes = @window_successes, prev_failures = @prev_failures,
         prev_successes = @prev_successes, opened_at = @opened_at, probes_in_flight = @probes_in_flight,
         probe_started_at = @probe_started_at, last_transition_at = @last_transition_at, last_error = @last_error,
         mode_set_by = @mode_set_by, mode_set_at = @mode_set_at, mode_reason = @mode_reason, version = @version
       WHERE service_name = @service_name AND version = @version - 1`,
    ),
    forgetWorkers: db.prepare<[string, string]>(
      `DELETE FROM tb_worker WHERE (state = 'stopped' AND last_heartbeat_at < ?) OR last_heartbeat_at < ?`,
    ),
    registerWorker: db.prepare<[Params]>(
      `INSERT INTO tb_worker (id, host, pid, version, started_at, concurrency, queues, in_flight, state, last_heartbeat_at)
       VALUES (@id, @host, @pid, @version, @now, @concurrency, @queues, 0, 'running', @now)
       ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, version = excluded.version,
         started_at = excluded.started_at, concurrency = excluded.concurrency, queues = excluded.queues, in_flight = 0,
         state = 'running', last_heartbeat_at = excluded.last_heartbeat_at`,
    ),
    heartbeat: db.prepare<[Params]>(
      `UPDATE tb_worker SET in_flight = @in_flight, state = @state, last_heartbeat_at = @now WHERE id = @id`,
    ),
    workers: db.prepare<[], WorkerRow>(`SELECT * FROM tb_worker ORDER BY started_at DESC, id`),
    audit: db.prepare<[Params]>(
      `INSERT INTO tb_audit_log (at, actor, action, target, job_count, details)
       VALUES (@now, @actor, @action, @target, @job_count, @details)`,
    ),
    dataVersion: db.prepare<[], { data_version: number }>(`PRAGMA data_version`),
    signature: db.prepare<[], { control: number; breakers: string }>(
      `SELECT (SELECT version FROM tb_control WHERE id = 1) AS control,
              (SELECT count(*) || ':' || coalesce(sum(version), 0) FROM tb_breaker) AS breakers`,
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** A lease of at least 1 ms and at most a day: a NaN or runaway value must not poison the timestamp. */
function leaseLength(ms: number): number {
  return Number.isFinite(ms) ? Math.min(86_400_000, Math.max(1, Math.trunc(ms))) : 30_000;
}

function reasonOrNull(reason: string | null | undefined): string | null {
  const trimmed = reason?.trim();
  return trimmed ? trimmed : null;
}

function isoOrNull(value: string | null, what: string): string | null {
  return value === null ? null : isoTime(value, what);
}

/** The SQLite store: one better-sqlite3 connection, every write in one BEGIN IMMEDIATE transaction. */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly location: string;
  readonly #db: Db;
  readonly #s: Statements;
  readonly #statusOf: () => Promise<MigrationStatus>;
  readonly #jobPages = new Map<string, BetterSqlite3.Statement<unknown[], JobRow>>();
  readonly #counts = new Map<string, BetterSqlite3.Statement<unknown[], { n: number }>>();
  readonly #groups = new Map<string, BetterSqlite3.Statement<unknown[], GroupRow>>();
  readonly #auditPages = new Map<string, BetterSqlite3.Statement<unknown[], AuditRow>>();
  readonly #updates = new Map<string, BetterSqlite3.Statement<unknown[], unknown>>();
  readonly #listeners = new Set<(signal: StoreSignal) => void>();
  readonly #queued = new Set<StoreSignal>();
  #flushing = false;
  #poll: NodeJS.Timeout | null = null;
  #seen = { dataVersion: 0, control: 0, breakers: '' };
  #closed = false;
  readonly #checkpointer: Checkpointer | null;
  readonly #claimTx: (request: ClaimRequest) => ClaimedJob[];
  readonly #settleTx: (settlements: Settlement[]) => number[];
  readonly #enqueueTx: (jobs: NewJob[]) => EnqueueResult[];

  constructor(db: Db, location: string, migrationStatus: () => Promise<MigrationStatus>, checkpointer: Checkpointer | null) {
    this.#db = db;
    this.#checkpointer = checkpointer;
    this.location = location;
    this.#statusOf = migrationStatus;
    this.#s = prepareStatements(db);
    // Each takes its timestamp once it holds the write lock, so a wait for the lock never ages it.
    this.#claimTx = db.transaction((request: ClaimRequest) => this.#claim(request, now())).immediate;
    this.#settleTx = db.transaction((settlements: Settlement[]) => {
      const at = now();
      return settlements.filter((s) => this.#settleOne(s, at)).map((s) => s.jobId);
    }).immediate;
    const enqueueStatements = prepareEnqueue(db);
    this.#enqueueTx = db.transaction((jobs: NewJob[]) => enqueueBatch(enqueueStatements, jobs, now())).immediate;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopPolling();
    this.#listeners.clear();
    await this.#checkpointer?.stop();
    try {
      // Refreshes planner statistics where they drifted; cheap, and what SQLite advises before closing.
      this.#db.pragma('optimize');
    } catch {
      // Busy or read-only: statistics can wait for the next close.
    }
    this.#db.close();
  }

  // ---- jobs: the hot path -----------------------------------------------------------------------

  async enqueue(jobs: NewJob[]): Promise<EnqueueResult[]> {
    if (jobs.length === 0) return [];
    const results = this.#guard(() => this.#enqueueTx(jobs));
    if (results.some((r) => r.created)) this.#signal('jobs');
    return results;
  }

  async claim(request: ClaimRequest): Promise<ClaimedJob[]> {
    if (!(request.limit >= 1)) return [];
    const claimed = this.#guard(() => this.#claimTx(request));
    if (claimed.length > 0) this.#signal('jobs');
    return claimed;
  }

  #claim(request: ClaimRequest, at: string): ClaimedJob[] {
    const control = this.#s.control.get();
    if (!control || control.emergency_stop === 1 || control.safe_mode === 1) return [];
    const limit = Math.min(1000, Math.trunc(request.limit));
    const caps = new Map(Object.entries(request.serviceCaps ?? {}));
    const exclude = new Set(request.excludeServices ?? []);
    for (const [service, cap] of caps) if (cap <= 0) exclude.add(service);
    const chosen: number[] = [];
    const perService = new Map<string, number>();
    // Each round either fills the claim or finds a service at its cap and leaves it out of the next.
    for (let round = 0; round <= caps.size && chosen.length < limit; round++) {
      const want = limit - chosen.length;
      const rows = this.#s.candidates.all({
        now: at,
        queues: request.queues ? JSON.stringify(request.queues) : null,
        exclude: JSON.stringify([...exclude]),
        skip: JSON.stringify(chosen),
        limit: want,
      });
      for (const row of rows) {
        if (exclude.has(row.service_name)) continue;
        const taken = (perService.get(row.service_name) ?? 0) + 1;
        const cap = caps.get(row.service_name);
        if (cap !== undefined && taken > cap) {
          exclude.add(row.service_name);
          continue;
        }
        perService.set(row.service_name, taken);
        chosen.push(row.id);
        if (chosen.length >= limit) break;
      }
      if (rows.length < want) break;
    }
    if (chosen.length === 0) return [];
    const ids = JSON.stringify(chosen);
    const lease = new Date(Date.parse(at) + leaseLength(request.leaseMs)).toISOString();
    const leased = this.#s.lease.all({ ids, worker: request.workerId, lease, now: at });
    const attemptIds = new Map(this.#s.openAttempts.all({ ids, worker: request.workerId, now: at }).map((a) => [a.job_id, a.id]));
    const byId = new Map(leased.map((row) => [row.id, row]));
    const out: ClaimedJob[] = [];
    for (const id of chosen) {
      const row = byId.get(id);
      const attemptId = attemptIds.get(id);
      if (!row || attemptId === undefined) continue;
      out.push({
        id: row.id,
        identifier: row.identifier,
        queue: row.queue,
        service_name: row.service_name,
        execution_type: ExecutionType.parse(row.execution_type),
        payload: parseJson(row.payload),
        priority: row.priority,
        attempt: row.attempts,
        max_attempts: row.max_attempts,
        attempt_id: attemptId,
        lease_expires_at: lease,
      });
    }
    return out;
  }

  async extendLeases(workerId: string, jobIds: number[], leaseMs: number): Promise<number[]> {
    if (jobIds.length === 0) return [];
    const lease = new Date(Date.now() + leaseLength(leaseMs)).toISOString();
    return this.#guard(() => this.#s.extend.all({ ids: JSON.stringify(jobIds), worker: workerId, lease }).map((r) => r.id));
  }

  async settle(settlements: Settlement[]): Promise<number[]> {
    if (settlements.length === 0) return [];
    const landed = this.#guard(() => this.#settleTx(settlements));
    if (landed.length > 0) this.#signal('jobs');
    return landed;
  }

  #settleOne(s: Settlement, at: string): boolean {
    const usage = toJson(s.resource_usage);
    const tail: Bind = [usage, toJson(s.security_context), s.jobId, s.workerId, s.attemptId];
    let changed: number;
    let outcome: string;
    let error: string | null = null;
    let errorClass: string | null = null;
    switch (s.kind) {
      case 'completed':
        changed = this.#s.settleCompleted.run(at, at, ...tail).changes;
        outcome = 'completed';
        break;
      case 'retry':
        changed = this.#s.settleRetry.run(isoTime(s.run_at, 'retry run_at'), at, s.error.message, s.error.fingerprint, ...tail).changes;
        outcome = s.outcome;
        error = s.error.message;
        errorClass = s.error.error_class;
        break;
      case 'failed':
        changed = this.#s.settleFailed.run(at, at, s.error.message, s.error.fingerprint, ...tail).changes;
        outcome = s.outcome;
        error = s.error.message;
        errorClass = s.error.error_class;
        break;
      case 'interrupted':
        changed = this.#s.settleInterrupted.run(at, at, ...tail).changes;
        outcome = 'interrupted';
        error = s.reason;
        break;
      case 'cancelled':
        changed = this.#s.settleCancelled.run(at, at, ...tail).changes;
        outcome = 'cancelled';
        error = s.reason;
        break;
    }
    if (changed === 0) return false;
    this.#s.closeAttempt.run(outcome, at, error, errorClass, s.output_tail ?? null, usage, s.attemptId);
    return true;
  }

  async reclaimExpired(at: Date = new Date()): Promise<ReclaimResult> {
    const result = this.#guard(() => this.#write(() => this.#reclaim(at.toISOString())));
    if (result.retried.length + result.failed.length > 0) this.#signal('jobs');
    return result;
  }

  /** Leases that ended before `expiredBefore` are taken back; what is written carries the real time. */
  #reclaim(expiredBefore: string): ReclaimResult {
    const stopped = this.#s.control.get()?.emergency_stop === 1;
    const result: ReclaimResult = { retried: [], failed: [], cancelled: [] };
    const at = now();
    for (const row of this.#s.expired.all(expiredBefore)) {
      const worker = row.lease_owner ?? 'unknown';
      let status: 'pending' | 'failed' | 'cancelled' = 'pending';
      let outcome = 'lost';
      let refund = 0;
      let error: string | null = `lease expired: worker ${worker} stopped renewing it`;
      let fingerprint: string | null = `lease-expired:${row.service_name}`;
      let note = error;
      if (row.cancel_requested === 1) {
        status = 'cancelled';
        outcome = 'cancelled';
        error = null;
        fingerprint = null;
        note = 'cancelled by an operator; its worker stopped answering before it confirmed';
      } else if (stopped) {
        outcome = 'interrupted';
        refund = row.attempts > 0 ? 1 : 0;
        error = null;
        fingerprint = null;
        note = 'lease expired during the emergency stop';
      } else if (row.attempts >= row.max_attempts) {
        status = 'failed';
      }
      this.#s.reclaimJob.run({ job: row.id, status, refund, now: at, error, fingerprint });
      if (row.attempt_id !== null) {
        this.#s.closeAttempt.run(outcome, at, note, outcome === 'lost' ? 'LeaseExpired' : null, null, null, row.attempt_id);
      }
      (status === 'failed' ? result.failed : status === 'cancelled' ? result.cancelled : result.retried).push(row.id);
    }
    return result;
  }

  // ---- jobs: reads ------------------------------------------------------------------------------

  async getJob(idOrIdentifier: number | string): Promise<Job | null> {
    return this.#guard(() => {
      if (typeof idOrIdentifier === 'number') return this.#jobById(idOrIdentifier);
      const row = this.#s.jobByIdentifier.get(idOrIdentifier);
      if (row) return toJob(row);
      return /^\d{1,15}$/.test(idOrIdentifier) ? this.#jobById(Number(idOrIdentifier)) : null;
    });
  }

  #jobById(id: number): Job | null {
    const row = this.#s.jobById.get(id);
    return row ? toJob(row) : null;
  }

  async listAttempts(jobId: number): Promise<Attempt[]> {
    return this.#guard(() => this.#s.attempts.all(jobId).map(toAttempt));
  }

  async listJobs(filter: JobFilter, page: PageRequest): Promise<Page<Job>> {
    return this.#guard(() => this.#pageOfJobs(jobWhere(filter, now()), page));
  }

  async dlqList(selector: DlqSelector, page: PageRequest): Promise<Page<Job>> {
    return this.#guard(() => this.#pageOfJobs(dlqWhere(selector), page));
  }

  #pageOfJobs(where: Where, page: PageRequest): Page<Job> {
    const after = decodeCursor(page.after) ?? NO_CURSOR;
    const limit = clampLimit(page.limit);
    const statement = this.#cached(this.#jobPages, where.key, () =>
      `SELECT ${JOB_COLUMNS} FROM tb_job_run WHERE ${where.sql} AND id < ? ORDER BY id DESC LIMIT ?`,
    );
    const rows = statement.all(...where.params, after, limit + 1);
    const items = rows.slice(0, limit).map(toJob);
    const last = items.at(-1);
    return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
  }

  async countJobs(filter: JobFilter): Promise<number> {
    return this.#guard(() => this.#count(jobWhere(filter, now())));
  }

  #count(where: Where): number {
    const statement = this.#cached(this.#counts, where.key, () => `SELECT count(*) AS n FROM tb_job_run WHERE ${where.sql}`);
    return statement.get(...where.params)?.n ?? 0;
  }

  async countsByQueueAndStatus(): Promise<QueueCount[]> {
    return this.#guard(() => this.#s.counts.all());
  }

  async runningByService(): Promise<Record<string, number>> {
    return this.#guard(() => Object.fromEntries(this.#s.runningByService.all().map((r) => [r.service_name, r.n])));
  }

  async throughput(since: Date, bucketSeconds: number): Promise<ThroughputBucket[]> {
    const step = Math.max(1, Math.trunc(bucketSeconds));
    const rows = this.#guard(() => this.#s.throughput.all({ since: since.toISOString(), step }));
    return fillBuckets(rows, since, new Date(), step);
  }

  async latencyByType(since: Date): Promise<LatencyByType[]> {
    const rows = this.#guard(() => this.#s.latency.all(since.toISOString()));
    const byType = new Map(rows.map((r) => [r.execution_type, r]));
    const ms = (value: number | null | undefined) => (value === null || value === undefined ? null : Math.max(0, Math.round(value * 10) / 10));
    return EXECUTION_TYPES.map((type) => {
      const row = byType.get(type);
      return { execution_type: type, count: row?.count ?? 0, p50_ms: ms(row?.p50), p95_ms: ms(row?.p95) };
    });
  }

  async oldestPendingRunAt(): Promise<string | null> {
    return this.#guard(() => this.#s.oldestPending.get()?.run_at ?? null);
  }

  async cancelRequested(workerId: string): Promise<number[]> {
    return this.#guard(() => this.#s.cancelRequested.all(workerId).map((r) => r.id));
  }

  // ---- operator actions on jobs -------------------------------------------------------------------

  async cancelJob(jobId: number, actor: Actor, reason: string | null): Promise<Job | null> {
    const result = this.#guard(() =>
      this.#write(() => {
        const before = this.#jobById(jobId);
        if (!before) return null;
        const at = now();
        const changes =
          before.status === 'pending'
            ? this.#s.cancelPending.run({ job: jobId, now: at }).changes
            : before.status === 'running'
              ? this.#s.requestCancel.run({ job: jobId, now: at }).changes
              : 0;
        if (changes > 0) {
          this.#audit(at, actor, 'job.cancel', String(jobId), 1, { reason: reasonOrNull(reason), was: before.status });
        }
        return this.#jobById(jobId);
      }),
    );
    this.#signal('jobs');
    return result;
  }

  async retryJob(jobId: number, actor: Actor): Promise<Job | null> {
    const result = this.#guard(() =>
      this.#write(() => {
        const before = this.#jobById(jobId);
        if (!before) return null;
        const at = now();
        if (this.#s.retryJob.run({ job: jobId, now: at }).changes > 0) {
          this.#audit(at, actor, 'job.retry', String(jobId), 1, { was: before.status });
        }
        return this.#jobById(jobId);
      }),
    );
    this.#signal('jobs');
    return result;
  }

  // ---- dead-letter queue ----------------------------------------------------------------------------

  async dlqGroups(filter: { search?: string; service?: string }): Promise<DlqGroup[]> {
    const where = dlqWhere({ search: filter.search, service: filter.service });
    const statement = this.#cached(this.#groups, where.key, () =>
      `SELECT g.*, (SELECT error_message FROM tb_job_run s WHERE s.id = g.sample_job_id) AS sample_error
       FROM (
         SELECT coalesce(error_fingerprint, '') AS fingerprint, count(*) AS count,
                min(coalesce(completed_at, updated_at)) AS first_seen, max(coalesce(completed_at, updated_at)) AS last_seen,
                json_group_array(DISTINCT service_name) AS services, json_group_array(DISTINCT execution_type) AS types,
                max(id) AS sample_job_id
         FROM tb_job_run WHERE ${where.sql}
         GROUP BY error_fingerprint
       ) g
       ORDER BY g.count DESC, g.last_seen DESC, g.fingerprint
       LIMIT 1000`,
    );
    return this.#guard(() =>
      statement.all(...where.params).map((row) => ({
        fingerprint: row.fingerprint,
        count: row.count,
        first_seen: row.first_seen,
        last_seen: row.last_seen,
        services: stringArray(row.services),
        execution_types: stringArray(row.types).map((t) => ExecutionType.parse(t)),
        sample_error: row.sample_error ?? '',
        sample_job_id: row.sample_job_id,
      })),
    );
  }

  async dlqCount(selector: DlqSelector): Promise<number> {
    return this.#guard(() => this.#count(dlqWhere(selector)));
  }

  async dlqRetry(selector: DlqSelector, actor: Actor): Promise<number> {
    const where = dlqWhere(selector);
    const statement = this.#cached(this.#updates, `${where.key}:retry`, () =>
      `UPDATE tb_job_run SET status = 'pending', attempts = 0, run_at = ?, updated_at = ?, completed_at = NULL,
         resolved_at = NULL, resolution = NULL, lease_owner = NULL, lease_expires_at = NULL, cancel_requested = 0
       WHERE ${where.sql}`,
    );
    const count = this.#guard(() =>
      this.#write(() => {
        const at = now();
        const n = statement.run(at, at, ...where.params).changes;
        this.#audit(at, actor, 'dlq.retry', null, n, { selector: selectorDetails(selector) });
        return n;
      }),
    );
    this.#signal('jobs');
    return count;
  }

  async dlqResolve(selector: DlqSelector, note: string, actor: Actor): Promise<number> {
    const where = dlqWhere(selector);
    const statement = this.#cached(this.#updates, `${where.key}:resolve`, () =>
      `UPDATE tb_job_run SET resolved_at = ?, resolution = ?, updated_at = ? WHERE ${where.sql}`,
    );
    const count = this.#guard(() =>
      this.#write(() => {
        const at = now();
        const n = statement.run(at, note, at, ...where.params).changes;
        this.#audit(at, actor, 'dlq.resolve', null, n, { selector: selectorDetails(selector), note });
        return n;
      }),
    );
    this.#signal('jobs');
    return count;
  }

  async purgeResolvedCount(before: Date): Promise<number> {
    return this.#guard(() => this.#s.purgeCount.get(before.toISOString())?.n ?? 0);
  }

  async purgeResolved(before: Date, actor: Actor): Promise<number> {
    const cutoff = before.toISOString();
    const count = this.#guard(() =>
      this.#write(() => {
        this.#s.purgeAttempts.run(cutoff);
        this.#s.raiseJobIdFloor.run();
        const n = this.#s.purgeJobs.run(cutoff).changes;
        this.#audit(now(), actor, 'dlq.purge', null, n, { before: cutoff });
        return n;
      }),
    );
    this.#signal('jobs');
    return count;
  }

  // ---- control ----------------------------------------------------------------------------------------

  async getControl(): Promise<ControlState> {
    return this.#guard(() => this.#control());
  }

  #control(): ControlState {
    const row = this.#s.control.get();
    if (!row) throw new StoreInputError('the control row is missing: the database was edited by hand; run the migrations again');
    return toControl(row, this.#s.pausedQueues.all());
  }

  async setEmergencyStop(engaged: boolean, actor: Actor, reason: string | null): Promise<ControlState> {
    return this.#setControl(engaged ? 'control.emergency_stop' : 'control.resume', null, { engaged }, reason, actor, (at, by) =>
      this.#s.setEmergencyStop.run({ on: engaged ? 1 : 0, by, now: at, reason: reasonOrNull(reason) }),
    );
  }

  async setSafeMode(engaged: boolean, actor: Actor, reason: string | null): Promise<ControlState> {
    return this.#setControl('control.safe_mode', null, { engaged }, reason, actor, (at, by) =>
      this.#s.setSafeMode.run({ on: engaged ? 1 : 0, by, now: at, reason: reasonOrNull(reason) }),
    );
  }

  async setQueuePaused(queue: string, paused: boolean, actor: Actor, reason: string | null): Promise<ControlState> {
    return this.#setControl(paused ? 'queue.pause' : 'queue.resume', queue, { paused }, reason, actor, (at, by) => {
      if (paused) this.#s.pauseQueue.run({ queue, by, now: at, reason: reasonOrNull(reason) });
      else this.#s.resumeQueue.run(queue);
      this.#s.bumpControl.run();
    });
  }

  #setControl(action: string, target: string | null, details: JsonObject, reason: string | null, actor: Actor, change: (at: string, by: string) => void): ControlState {
    const state = this.#guard(() =>
      this.#write(() => {
        const at = now();
        change(at, actorName(actor));
        this.#audit(at, actor, action, target, null, { ...details, reason: reasonOrNull(reason) });
        return this.#control();
      }),
    );
    this.#seen.control = state.version;
    this.#signal('control');
    return state;
  }

  // ---- circuit breakers ---------------------------------------------------------------------------------

  async listBreakers(): Promise<BreakerRecord[]> {
    return this.#guard(() => this.#s.breakers.all().map(toBreaker));
  }

  async getBreaker(service: string): Promise<BreakerRecord | null> {
    return this.#guard(() => {
      const row = this.#s.breaker.get(service);
      return row ? toBreaker(row) : null;
    });
  }

  async saveBreaker(record: BreakerRecord, transition: BreakerTransition | null): Promise<boolean> {
    const params = breakerParams(record);
    const saved = this.#guard(() =>
      this.#write(() => {
        const changes = record.version === 1 ? this.#s.insertBreaker.run(params).changes : this.#s.updateBreaker.run(params).changes;
        if (changes > 0 && transition) {
          this.#s.audit.run({
            now: now(),
            actor: ENGINE_ACTOR,
            action: 'breaker.transition',
            target: record.service_name,
            job_count: null,
            details: JSON.stringify({ from: transition.from, to: transition.to, reason: transition.reason }),
          });
        }
        return changes > 0;
      }),
    );
    if (saved) this.#signal('breakers');
    return saved;
  }

  async setBreakerMode(service: string, mode: BreakerMode | 'reset', actor: Actor, reason: string | null): Promise<BreakerRecord> {
    const record = this.#guard(() =>
      this.#write(() => {
        const at = now();
        const row = this.#s.breaker.get(service);
        const current: BreakerRecord = row ? toBreaker(row) : freshBreaker(service, at);
        const by = actorName(actor);
        const note = reasonOrNull(reason);
        const next: BreakerRecord =
          mode === 'reset'
            ? { ...freshBreaker(service, at), last_transition_at: at, mode_set_by: by, mode_set_at: at, mode_reason: note, version: current.version + 1 }
            : { ...current, mode, mode_set_by: by, mode_set_at: at, mode_reason: note, version: current.version + 1 };
        const params = breakerParams(next);
        if (row) this.#s.updateBreaker.run(params);
        else this.#s.insertBreaker.run(params);
        this.#audit(at, actor, `breaker.${mode}`, service, null, { reason: note, from_mode: current.mode, from_state: current.state });
        return next;
      }),
    );
    this.#signal('breakers');
    return record;
  }

  // ---- workers -------------------------------------------------------------------------------------------

  async registerWorker(worker: WorkerRegistration): Promise<void> {
    this.#guard(() =>
      this.#write(() => {
        const at = now();
        const ago = (ms: number) => new Date(Date.parse(at) - ms).toISOString();
        this.#s.forgetWorkers.run(ago(FORGET_STOPPED_MS), ago(FORGET_SILENT_MS));
        this.#s.registerWorker.run({
          id: worker.id,
          host: worker.host,
          pid: worker.pid,
          version: worker.version,
          concurrency: worker.concurrency,
          queues: toJson(worker.queues),
          now: at,
        });
      }),
    );
    this.#signal('workers');
  }

  async heartbeat(workerId: string, inFlight: number, state: WorkerState): Promise<void> {
    this.#guard(() => this.#s.heartbeat.run({ id: workerId, in_flight: inFlight, state, now: now() }));
    this.#signal('workers');
  }

  async listWorkers(lostAfterMs: number): Promise<WorkerInfo[]> {
    const lostBefore = new Date(Date.now() - lostAfterMs).toISOString();
    return this.#guard(() => this.#s.workers.all().map((row) => toWorker(row, lostBefore)));
  }

  // ---- audit ------------------------------------------------------------------------------------------------

  async audit(entry: NewAuditEntry): Promise<void> {
    this.#guard(() => this.#audit(now(), entry.actor, entry.action, entry.target ?? null, entry.job_count ?? null, entry.details ?? null));
  }

  #audit(at: string, actor: Actor, action: string, target: string | null, jobCount: number | null, details: JsonObject | null): void {
    this.#s.audit.run({ now: at, actor: actorName(actor), action, target, job_count: jobCount, details: toJson(details) });
  }

  async listAudit(filter: { action?: string; search?: string }, page: PageRequest): Promise<Page<AuditEntry>> {
    const where = auditWhere(filter);
    return this.#guard(() => {
      const after = decodeCursor(page.after) ?? NO_CURSOR;
      const limit = clampLimit(page.limit);
      const statement = this.#cached(this.#auditPages, where.key, () =>
        `SELECT * FROM tb_audit_log WHERE ${where.sql} AND id < ? ORDER BY id DESC LIMIT ?`,
      );
      const rows = statement.all(...where.params, after, limit + 1);
      const items = rows.slice(0, limit).map(toAudit);
      const last = items.at(-1);
      return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    });
  }

  // ---- schema -------------------------------------------------------------------------------------------------

  async migrationStatus(): Promise<MigrationStatus> {
    return this.#statusOf();
  }

  // ---- signals ------------------------------------------------------------------------------------------------

  subscribe(listener: (signal: StoreSignal) => void): () => void {
    this.#listeners.add(listener);
    this.#startPolling();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopPolling();
    };
  }

  #signal(signal: StoreSignal): void {
    if (this.#listeners.size === 0) return;
    this.#queued.add(signal);
    if (this.#flushing) return;
    this.#flushing = true;
    // Coalesced: a burst of claims and settles in one tick is one 'jobs' signal.
    setImmediate(() => {
      this.#flushing = false;
      const signals = [...this.#queued];
      this.#queued.clear();
      for (const s of signals) {
        for (const listener of [...this.#listeners]) {
          try {
            listener(s);
          } catch {
            // A listener's failure is its own; the others still hear the signal.
          }
        }
      }
    });
  }

  #startPolling(): void {
    if (this.#poll || this.#closed) return;
    this.#seen = { dataVersion: this.#dataVersion(), ...this.#signature() };
    this.#poll = setInterval(() => this.#pollOnce(), POLL_MS);
    this.#poll.unref();
  }

  #stopPolling(): void {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
  }

  /** data_version moves only when another connection commits, so our own writes never echo here. */
  #pollOnce(): void {
    if (this.#closed) return;
    try {
      const dataVersion = this.#dataVersion();
      if (dataVersion === this.#seen.dataVersion) return;
      const signature = this.#signature();
      if (signature.control !== this.#seen.control) this.#signal('control');
      if (signature.breakers !== this.#seen.breakers) this.#signal('breakers');
      this.#seen = { dataVersion, ...signature };
      this.#signal('jobs');
      this.#signal('workers');
    } catch {
      // Busy or closing: the next tick tries again.
    }
  }

  #dataVersion(): number {
    return this.#s.dataVersion.get()?.data_version ?? 0;
  }

  #signature(): { control: number; breakers: string } {
    return this.#s.signature.get() ?? { control: 0, breakers: '' };
  }

  // ---- plumbing ------------------------------------------------------------------------------------------------

  #write<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw mapSqliteError(error, this.location, this.#closed);
    }
  }

  /** Statements whose SQL depends on a filter's shape, prepared once per shape. */
  #cached<Row>(cache: Map<string, BetterSqlite3.Statement<unknown[], Row>>, key: string, sql: () => string): BetterSqlite3.Statement<unknown[], Row> {
    let statement = cache.get(key);
    if (!statement) {
      statement = this.#db.prepare<unknown[], Row>(sql());
      cache.set(key, statement);
    }
    return statement;
  }
}

function stringArray(json: string): string[] {
  const value = parseJson(json);
  return Array.isArray(value) ? value.map(String).sort() : [];
}

function selectorDetails(selector: DlqSelector): JsonObject {
  const out: JsonObject = {};
  if (selector.job_ids !== undefined) out.job_ids = selector.job_ids.length > 50 ? `${selector.job_ids.length} ids` : selector.job_ids;
  if (selector.fingerprint !== undefined) out.fingerprint = selector.fingerprint;
  if (selector.service !== undefined) out.service = selector.service;
  if (selector.search !== undefined) out.search = selector.search;
  return out;
}

function freshBreaker(service: string, at: string): BreakerRecord {
  return {
    service_name: service,
    state: 'closed',
    mode: 'auto',
    window_started_at: at,
    window_failures: 0,
    window_successes: 0,
    prev_failures: 0,
    prev_successes: 0,
    opened_at: null,
    probes_in_flight: 0,
    probe_started_at: null,
    last_transition_at: null,
    last_error: null,
    mode_set_by: null,
    mode_set_at: null,
    mode_reason: null,
    version: 0,
  };
}

function breakerParams(r: BreakerRecord): Params {
  return {
    service_name: r.service_name,
    state: r.state,
    mode: r.mode,
    window_started_at: isoTime(r.window_started_at, 'breaker window_started_at'),
    window_failures: r.window_failures,
    window_successes: r.window_successes,
    prev_failures: r.prev_failures,
    prev_successes: r.prev_successes,
    opened_at: isoOrNull(r.opened_at, 'breaker opened_at'),
    probes_in_flight: r.probes_in_flight,
    probe_started_at: isoOrNull(r.probe_started_at, 'breaker probe_started_at'),
    last_transition_at: isoOrNull(r.last_transition_at, 'breaker last_transition_at'),
    last_error: r.last_error,
    mode_set_by: r.mode_set_by,
    mode_set_at: isoOrNull(r.mode_set_at, 'breaker mode_set_at'),
    mode_reason: r.mode_reason,
    version: r.version,
  };
}
