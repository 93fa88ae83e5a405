import { ExecutionType } from '../../../shared/domain.ts';
import type { ClaimRequest, ClaimedJob, EnqueueResult, NewJob, ReclaimResult, SettleOutcome, Settlement } from '../store.ts';
import { runMsOf } from '../runStart.ts';
import { settledAsSent, type AttemptRecord } from '../settledEarlier.ts';
import { now } from './db.ts';
import type { Bind, Connection, Params, SqliteDb } from './db.ts';
import { ClaimPick } from './claimPick.ts';
import { enqueueBatch, prepareEnqueue } from './enqueue.ts';
import { isoTime } from './filters.ts';
import { parseJson, toJson } from './rows.ts';
import type { JobRow } from './rows.ts';
import { Tally } from './tally.ts';
import type { SqliteGates } from './gates.ts';
import type { JobKind } from './tally.ts';
import { SqliteWorkflowAdvance } from './workflowAdvance.ts';

/**
 * The hot path on SQLite: enqueue, claim, extend, settle, reclaim. Each runs in one BEGIN IMMEDIATE
 * transaction and takes its timestamp once it holds the write lock, so a wait for the lock never ages it.
 */

type ClaimRow = Pick<JobRow, 'id' | 'identifier' | 'queue' | 'service_name' | 'execution_type' | 'payload' | 'priority' | 'attempts' | 'max_attempts'> & {
  /** The workflow run of a task; null for every other job. */
  workflow_run_id: number | null;
  interruptions: number;
};

/** What the counts and rollups need of a job this store leased: its kind, and when its attempt began. */
interface Leased {
  kind: JobKind;
  startedMs: number;
  /** A workflow task's run, moved on when the task finishes. */
  run: number | null;
}

interface ExpiredRow extends JobKind {
  id: number;
  attempts: number;
  max_attempts: number;
  lease_owner: string | null;
  attempt_id: number | null;
  cancel_requested: number;
  workflow_run_id: number | null;
}

/**
 * Every statement of the hot path, prepared once. The per-job statements bind positionally (binding by
 * name costs a property lookup per value, which shows at tens of thousands of jobs a second); their
 * parameter order is spelled out beside them. `+status` keeps the planner on rowid lookups of an id list
 * instead of walking every pending row through the claim index. Which jobs a claim takes is claimPick.ts.
 */
export function prepareJobStatements(db: Connection) {
  const fence = `id = ? AND status = 'running' AND lease_owner = ?
    AND EXISTS (SELECT 1 FROM tb_job_attempt a WHERE a.id = ? AND a.job_id = tb_job_run.id AND a.outcome = 'running')`;
  // What the attempt leaves on the job: its usage and context, and its run's start, never before its claim
  // (none: the claim's stays). Times are ISO text of one length, so max() compares them as times.
  const kept = `resource_usage = coalesce(?, resource_usage), security_context = coalesce(?, security_context),
    started_at = max(started_at, coalesce(?, started_at))`;
  const released = `updated_at = ?, lease_owner = NULL, lease_expires_at = NULL`;
  const cancelWins = `CASE WHEN cancel_requested THEN 'cancelled' ELSE 'pending' END`;
  return {
    lease: db.prepare<[Params], ClaimRow>(
      `UPDATE tb_job_run
       SET status = 'running', attempts = attempts + 1, lease_owner = @worker, lease_expires_at = @lease,
           started_at = @now, updated_at = @now, cancel_requested = 0, resource_usage = NULL
       WHERE id IN (SELECT value FROM json_each(@ids)) AND +status = 'pending'
       RETURNING id, identifier, queue, service_name, execution_type, payload, priority, attempts, max_attempts, workflow_run_id,
         interruptions`,
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
    /** now, now, usage, security, run start, job, worker, attempt */
    settleCompleted: db.prepare<Bind>(
      `UPDATE tb_job_run SET status = 'completed', completed_at = ?, ${released}, ${kept} WHERE ${fence}`,
    ),
    /**
     * now (ended), run_at, now, error, fingerprint, usage, security, run start, job, worker, attempt. An operator's
     * cancel asked for meanwhile wins: the job ends cancelled instead of going back.
     */
    settleRetry: db.prepare<Bind, { status: string }>(
      `UPDATE tb_job_run SET status = ${cancelWins}, completed_at = CASE WHEN cancel_requested THEN ? ELSE completed_at END,
         run_at = ?, ${released}, error_message = ?, error_fingerprint = ?, ${kept}
       WHERE ${fence} RETURNING status`,
    ),
    /** now, now, error, fingerprint, usage, security, run start, job, worker, attempt */
    settleFailed: db.prepare<Bind>(
      `UPDATE tb_job_run SET status = 'failed', completed_at = ?, ${released}, error_message = ?, error_fingerprint = ?,
         resolved_at = NULL, resolution = NULL, ${kept}
       WHERE ${fence}`,
    ),
    /** now (ended), now, now, usage, security, run start, job, worker, attempt; as settleRetry, a cancel wins */
    settleInterrupted: db.prepare<Bind, { status: string }>(
      `UPDATE tb_job_run SET status = ${cancelWins}, completed_at = CASE WHEN cancel_requested THEN ? ELSE completed_at END,
         attempts = max(attempts - 1, 0), run_at = ?, ${released}, ${kept} WHERE ${fence} RETURNING status`,
    ),
    /** now, now, usage, security, run start, job, worker, attempt */
    settleCancelled: db.prepare<Bind>(
      `UPDATE tb_job_run SET status = 'cancelled', completed_at = ?, ${released}, ${kept} WHERE ${fence}`,
    ),
    /** job: its worker stopped it because the store did not confirm its lease (Settlement.lease_unconfirmed) */
    countInterruption: db.prepare<[number]>(`UPDATE tb_job_run SET interruptions = interruptions + 1 WHERE id = ?`),
    /** attempt: a job handed back before its runner started has no attempt to show */
    dropAttempt: db.prepare<[number]>(`DELETE FROM tb_job_attempt WHERE id = ?`),
    /** attempts given back (0 or 1), job: its start is its previous attempt's again (none for a first) */
    unstart: db.prepare<[number, number]>(
      `UPDATE tb_job_run SET attempts = max(attempts - ?, 0),
         started_at = (SELECT a.started_at FROM tb_job_attempt a WHERE a.job_id = tb_job_run.id ORDER BY a.id DESC LIMIT 1)
       WHERE id = ?`,
    ),
    /** outcome, run start (null: the claim's stays; never before it), ended, error, error_class, tail, usage, attempt */
    closeAttempt: db.prepare<Bind>(
      `UPDATE tb_job_attempt SET outcome = ?, started_at = max(started_at, coalesce(?, started_at)), finished_at = ?, error_message = ?, error_class = ?,
         output_tail = ?, resource_usage = ?
       WHERE id = ?`,
    ),
    attemptsById: db.prepare<[string], AttemptRecord>(
      `SELECT id, job_id, worker_id, outcome, error_message, error_class FROM tb_job_attempt WHERE id IN (SELECT value FROM json_each(?))`,
    ),
    expired: db.prepare<[string, string, string | null, string | null], ExpiredRow>(
      `SELECT j.id, j.attempts, j.max_attempts, j.queue, j.service_name, j.execution_type, j.lease_owner, j.cancel_requested,
         j.workflow_run_id, a.id AS attempt_id
       FROM tb_job_run j LEFT JOIN tb_job_attempt a ON a.job_id = j.id AND a.outcome = 'running'
       WHERE j.status = 'running' AND j.lease_expires_at < ?
         AND (a.id IS NULL OR a.id NOT IN (SELECT value FROM json_each(?)))
         AND (? IS NULL OR j.lease_owner = ?)
       ORDER BY j.id`,
    ),
    leasedJob: db.prepare<[number], JobKind & { started_at: string | null; workflow_run_id: number | null }>(
      `SELECT queue, service_name, execution_type, started_at, workflow_run_id FROM tb_job_run WHERE id = ?`,
    ),
    reclaimJob: db.prepare<[Params]>(
      `UPDATE tb_job_run
       SET status = @status, attempts = attempts - @refund, run_at = CASE WHEN @status = 'pending' THEN @now ELSE run_at END,
           completed_at = CASE WHEN @status IN ('failed', 'cancelled') THEN @now ELSE completed_at END,
           error_message = coalesce(@error, error_message), error_fingerprint = coalesce(@fingerprint, error_fingerprint),
           updated_at = @now, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = @job AND status = 'running'`,
    ),
  };
}

type JobStatements = ReturnType<typeof prepareJobStatements>;

/** A lease of at least 1 ms and at most a day: a NaN or runaway value must not poison the timestamp. */
function leaseLength(ms: number): number {
  return Number.isFinite(ms) ? Math.min(86_400_000, Math.max(1, Math.trunc(ms))) : 30_000;
}

export class SqliteJobs {
  readonly #db: SqliteDb;
  readonly #s: JobStatements;
  readonly #enqueueTx: (jobs: NewJob[]) => EnqueueResult[];
  readonly #claimTx: (request: ClaimRequest) => ClaimedJob[];
  readonly #settleTx: (settlements: Settlement[]) => SettleOutcome;
  /**
   * The jobs this store leased and has not settled, by attempt: the settle counts them without reading
   * them back. An entry whose settle never comes (the watchdog took the job) goes with the reclaim.
   */
  readonly #leased = new Map<number, Leased>();
  readonly #workflows: SqliteWorkflowAdvance;
  readonly #gates: SqliteGates;
  readonly #pick: ClaimPick;

  constructor(db: SqliteDb, gates: SqliteGates) {
    this.#db = db;
    this.#pick = new ClaimPick(db.connection);
    this.#workflows = new SqliteWorkflowAdvance(db.connection);
    this.#gates = gates;
    this.#s = prepareJobStatements(db.connection);
    const enqueueStatements = prepareEnqueue(db.connection);
    this.#enqueueTx = db.connection.transaction((jobs: NewJob[]) => {
      const at = now();
      const results = enqueueBatch(enqueueStatements, jobs, at);
      const tally = new Tally(Date.parse(at));
      results.forEach((result, place) => {
        const job = jobs[place];
        if (result.created && job !== undefined) tally.count(job, 'pending', 1);
      });
      db.record(tally);
      return results;
    }).immediate;
    this.#claimTx = db.connection.transaction((request: ClaimRequest) => this.#claim(request, now())).immediate;
    this.#settleTx = db.connection.transaction((settlements: Settlement[]) => {
      const atMs = Date.now();
      const at = new Date(atMs).toISOString();
      const tally = new Tally(atMs);
      const runs: number[] = [];
      const requeued: number[] = [];
      const settled = settlements.filter((s) => this.#settleOne(s, at, atMs, tally, runs, requeued));
      if (runs.length > 0) this.#workflows.advance(runs, at, tally);
      db.record(tally);
      return { landed: settled.map((s) => s.jobId), readied: requeued.length > 0 || runs.length > 0 };
    }).immediate;
  }

  enqueue(jobs: NewJob[]): EnqueueResult[] {
    if (jobs.length === 0) return [];
    return this.#db.guard(() => this.#enqueueTx(jobs));
  }

  claim(request: ClaimRequest): ClaimedJob[] {
    if (!(request.limit >= 1)) return [];
    return this.#db.guard(() => this.#claimTx(request));
  }

  #claim(request: ClaimRequest, at: string): ClaimedJob[] {
    if (this.#db.dispatchHeld().held) return [];
    const limit = Math.min(1000, Math.trunc(request.limit));
    const caps = new Map(Object.entries(request.serviceCaps ?? {}));
    const exclude = new Set(request.excludeServices ?? []);
    // A gated service's room is read under the write lock and its starts recorded before it is released.
    for (const gate of request.gates ?? []) {
      const room = this.#gates.room(gate, at);
      caps.set(gate.service, Math.min(caps.get(gate.service) ?? room, room));
    }
    for (const [service, cap] of caps) if (cap <= 0) exclude.add(service);
    const chosen = this.#pick.pick({ limit, queues: request.queues ?? null, exclude, caps, now: at });
    if (chosen.length === 0) return [];
    const ids = JSON.stringify(chosen);
    const lease = new Date(Date.parse(at) + leaseLength(request.leaseMs)).toISOString();
    const leased = this.#s.lease.all({ ids, worker: request.workerId, lease, now: at });
    const attemptIds = new Map(this.#s.openAttempts.all({ ids, worker: request.workerId, now: at }).map((a) => [a.job_id, a.id]));
    const byId = new Map(leased.map((row) => [row.id, row]));
    const startedMs = Date.parse(at);
    const tally = new Tally(startedMs);
    for (const row of leased) tally.move(row, 'pending', 'running');
    this.#db.record(tally);
    for (const gate of request.gates ?? []) {
      this.#gates.recordStarts(gate, at, leased.filter((row) => row.service_name === gate.service).length);
    }
    const out: ClaimedJob[] = [];
    for (const id of chosen) {
      const row = byId.get(id);
      const attemptId = attemptIds.get(id);
      if (!row || attemptId === undefined) continue;
      this.#leased.set(attemptId, { kind: row, startedMs, run: row.workflow_run_id });
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
        interruptions: row.interruptions,
      });
    }
    return out;
  }

  extendLeases(workerId: string, jobIds: number[], leaseMs: number): number[] {
    if (jobIds.length === 0) return [];
    const lease = new Date(Date.now() + leaseLength(leaseMs)).toISOString();
    return this.#db.guard(() => this.#s.extend.all({ ids: JSON.stringify(jobIds), worker: workerId, lease }).map((r) => r.id));
  }

  settle(settlements: Settlement[]): SettleOutcome {
    if (settlements.length === 0) return { landed: [], readied: false };
    return this.#db.guard(() => this.#settleTx(settlements));
  }

  /** The attempts of settlements sent before without an answer, read back by id: which of them a settle recorded. */
  settledEarlier(settlements: Settlement[]): number[] {
    if (settlements.length === 0) return [];
    const attempts = this.#db.guard(() => this.#s.attemptsById.all(JSON.stringify(settlements.map((s) => s.attemptId))));
    return settledAsSent(settlements, attempts, (text) => text);
  }

  /** `at` and `atMs`: the settle's time. `runs` gathers the workflow runs of tasks that finished, to be moved on in the same transaction. */
  #settleOne(s: Settlement, at: string, atMs: number, tally: Tally, runs: number[], requeued: number[]): boolean {
    const usage = toJson(s.resource_usage);
    const ended = s.ended_at === undefined ? at : isoTime(s.ended_at, 'ended_at');
    const runMs = runMsOf(s);
    // Its end less how long it ran (a job claimed ahead waited in its worker's buffer after its claim); the
    // statements never date it before the claim.
    const runStartMs = runMs === null ? null : Date.parse(ended) - runMs;
    const runStart = runStartMs === null ? null : new Date(runStartMs).toISOString();
    const tail: Bind = [usage, toJson(s.security_context), runStart, s.jobId, s.workerId, s.attemptId];
    let changed: number;
    let outcome: string;
    let error: string | null = null;
    let errorClass: string | null = null;
    let cancelWon = false;
    switch (s.kind) {
      case 'completed':
        changed = this.#s.settleCompleted.run(at, at, ...tail).changes;
        outcome = 'completed';
        break;
      case 'retry': {
        const row = this.#s.settleRetry.get(at, isoTime(s.run_at, 'retry run_at'), at, s.error.message, s.error.fingerprint, ...tail);
        changed = row ? 1 : 0;
        cancelWon = row?.status === 'cancelled';
        outcome = s.outcome;
        error = s.error.message;
        errorClass = s.error.error_class;
        break;
      }
      case 'failed':
        changed = this.#s.settleFailed.run(at, at, s.error.message, s.error.fingerprint, ...tail).changes;
        outcome = s.outcome;
        error = s.error.message;
        errorClass = s.error.error_class;
        break;
      case 'interrupted': {
        const row = this.#s.settleInterrupted.get(at, at, at, ...tail);
        changed = row ? 1 : 0;
        cancelWon = row?.status === 'cancelled';
        outcome = 'interrupted';
        error = s.reason;
        break;
      }
      case 'cancelled':
        changed = this.#s.settleCancelled.run(at, at, ...tail).changes;
        outcome = 'cancelled';
        error = s.reason;
        break;
    }
    const leased = this.#leased.get(s.attemptId);
    this.#leased.delete(s.attemptId);
    if (changed === 0) return false;
    if (s.lease_unconfirmed) this.#s.countInterruption.run(s.jobId);
    if ((s.kind === 'interrupted' || s.kind === 'cancelled') && !s.ran) {
      this.#s.dropAttempt.run(s.attemptId);
      // An interruption gave its attempt back already; a cancel of a job that never ran gives it back here.
      this.#s.unstart.run(s.kind === 'cancelled' ? 1 : 0, s.jobId);
    } else {
      this.#s.closeAttempt.run(outcome, runStart, ended, error, errorClass, s.output_tail ?? null, usage, s.attemptId);
    }
    const job = leased ?? this.#lookUpLeased(s.jobId);
    const endedAs: Settlement['kind'] = cancelWon ? 'cancelled' : s.kind;
    // The start the statements wrote: the claim's, or the run's held at or after it (read back, it is that already).
    const claimedMs = job?.startedMs ?? Number.NaN;
    this.#tallySettled(s, cancelWon, job, runStartMs === null ? claimedMs : Math.max(claimedMs, runStartMs), atMs, tally);
    if (job !== null && job.run !== null && (endedAs === 'completed' || endedAs === 'failed' || endedAs === 'cancelled')) runs.push(job.run);
    if (endedAs === 'retry' || endedAs === 'interrupted') requeued.push(s.jobId);
    return true;
  }

  /** A job another store object leased (a second connection in the same process) is read back. */
  #lookUpLeased(jobId: number): Leased | null {
    const row = this.#s.leasedJob.get(jobId);
    if (!row) return null;
    return { kind: row, startedMs: row.started_at === null ? Number.NaN : Date.parse(row.started_at), run: row.workflow_run_id };
  }

  /**
   * `cancelWon`: an operator's cancel turned a retry or an interruption into a cancellation. `startedMs`: the
   * start the job now holds, its run's or else its claim's; NaN when unknown.
   */
  #tallySettled(s: Settlement, cancelWon: boolean, leased: Leased | null, startedMs: number, atMs: number, tally: Tally): void {
    if (!leased) return;
    const { kind } = leased;
    if (s.kind === 'retry' || s.kind === 'failed') tally.failure(kind.service_name, s.error, s.kind === 'failed');
    if (cancelWon) {
      tally.move(kind, 'running', 'cancelled');
      tally.finished(kind, 'cancelled');
      return;
    }
    switch (s.kind) {
      case 'completed':
        tally.move(kind, 'running', 'completed');
        tally.finished(kind, 'completed', Number.isFinite(startedMs) ? Math.max(0, atMs - startedMs) : null);
        return;
      case 'retry':
        tally.move(kind, 'running', 'pending');
        tally.finished(kind, 'retried');
        return;
      case 'failed':
        tally.move(kind, 'running', 'failed');
        tally.deadLetter(kind, s.error.fingerprint, 1);
        tally.finished(kind, 'failed');
        return;
      case 'interrupted':
        tally.move(kind, 'running', 'pending');
        return;
      case 'cancelled':
        tally.move(kind, 'running', 'cancelled');
        tally.finished(kind, 'cancelled');
    }
  }

  /** `settling`: attempts the calling worker will settle itself; `owner`: the only worker whose jobs are taken back (Store.reclaimExpired). */
  reclaimExpired(at: Date, settling: readonly number[], owner: string | null): ReclaimResult {
    return this.#db.guard(() => this.#db.write(() => this.#reclaim(at.toISOString(), JSON.stringify(settling), owner)));
  }

  /** Leases that ended before `expiredBefore` are taken back; what is written carries the real time. */
  #reclaim(expiredBefore: string, settling: string, owner: string | null): ReclaimResult {
    const { stopped } = this.#db.dispatchHeld();
    const result: ReclaimResult = { retried: [], failed: [], cancelled: [] };
    const atMs = Date.now();
    const at = new Date(atMs).toISOString();
    const tally = new Tally(atMs);
    const runs: number[] = [];
    for (const row of this.#s.expired.all(expiredBefore, settling, owner, owner)) {
      if (row.attempt_id !== null) this.#leased.delete(row.attempt_id);
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
      tally.move(row, 'running', status);
      if (status === 'failed') tally.deadLetter(row, fingerprint, 1);
      if (outcome !== 'interrupted') tally.finished(row, status === 'pending' ? 'retried' : status);
      if (outcome === 'lost' && error !== null) tally.failure(row.service_name, { error_class: 'lost', fingerprint, message: error }, status === 'failed');
      if (row.attempt_id !== null) {
        this.#s.closeAttempt.run(outcome, null, at, note, outcome === 'lost' ? 'lost' : null, null, null, row.attempt_id);
      }
      (status === 'failed' ? result.failed : status === 'cancelled' ? result.cancelled : result.retried).push(row.id);
      if (row.workflow_run_id !== null && status !== 'pending') runs.push(row.workflow_run_id);
    }
    if (runs.length > 0) this.#workflows.advance(runs, at, tally);
    this.#db.record(tally);
    return result;
  }
}
