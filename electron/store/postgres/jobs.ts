import { z } from 'zod';
import { StoreInputError } from '../errors.ts';
import { runMsOf } from '../runStart.ts';
import { settledAsSent } from '../settledEarlier.ts';
import type { ClaimRequest, ReclaimResult, SettleOutcome, Settlement } from '../store.ts';
import { ENGINE_ANSWER_MS } from './db.ts';
import type { PgDb } from './db.ts';
import { readyRowsFrom } from './ready.ts';
import { countsFrom, failuresFrom, rollupFrom } from './tally.ts';
import { claimFromJson, idsOf } from './rows.ts';
import type { Claim } from './rows.ts';
import { jsonNoNul, noNul } from './text.ts';

/**
 * The hot path on PostgreSQL after enqueue: claim, extend, settle, reclaim. Each is one statement per
 * batch (one JSON array or id array in), so a batch of N jobs costs one round trip, not N.
 */

/**
 * One call: the control gate is read first, so a claim that starts after an emergency stop committed
 * never returns a job; then the head of the queue is locked (skipping rows other workers hold) and leased.
 * A claim that leaves some jobs out (services, paused queues, queues it does not serve, caps) goes by lane
 * and never reads through the ones it leaves (docs/ARCHITECTURE.md, "Jobs a claim leaves out"). Its live
 * body is in functions.sql beside this file (its planner settings travel with it); the jobs come back as
 * one JSON array.
 */
const CLAIM_SQL = `SELECT jobs.opsdeck_claim($1::text, $2::int, $3::float8, $4::text[], $5::text[], $6::text[], $7::int[]) AS claimed`;

const ClaimResult = z.object({ claimed: z.string() });

export async function claimJobs(db: PgDb, req: ClaimRequest): Promise<Claim> {
  const limit = Math.trunc(req.limit);
  if (!(limit > 0)) return { leaseId: null, jobs: [] };
  const caps = Object.entries(req.serviceCaps ?? {});
  const rows = await db.engineQuery(
    CLAIM_SQL,
    [
      req.workerId,
      limit,
      Math.max(1, req.leaseMs),
      req.queues ?? null,
      req.excludeServices ?? [],
      caps.map(([service]) => service),
      caps.map(([, cap]) => Math.trunc(cap)),
    ],
    'opsdeck_claim',
  );
  return claimFromJson(ClaimResult.parse(rows[0]).claimed);
}

export async function extendJobLeases(db: PgDb, workerId: string, jobIds: number[], leaseMs: number): Promise<number[]> {
  if (jobIds.length === 0) return [];
  const rows = await db.engineQuery(
    `UPDATE jobs.tb_job_run SET lease_expires_at = now() + $3::float8 * interval '1 millisecond'
     WHERE id = ANY($2::bigint[]) AND status = 'running' AND lease_owner = $1
     RETURNING id`,
    [workerId, jobIds, Math.max(1, leaseMs)],
    'opsdeck_extend',
  );
  return idsOf(rows);
}

/**
 * Every kind of settlement in one statement. The fence: the job still holds this attempt, leased to this
 * worker. An interrupted attempt is given back (attempts - 1). The statement lives in
 * functions.sql beside this file, pinned to primary-key lookups.
 */
const SETTLE_SQL = 'SELECT id, readied FROM jobs.opsdeck_settle($1::jsonb, $2::bigint[], $3::int[])';

/**
 * One settlement as the function reads it: fields at their places (0006 lists them; 0032 adds `ran`,
 * false for a job that never started; 0040 `ended_at`, when the attempt ended if long before the settle;
 * 0044 `lease_unconfirmed`, true to count the interruption in the job's `interruptions`), trailing empty
 * ones left off: a plain completion (no usage, output or context) is its five first fields, and the
 * function parses no more per job than that. How long it ran goes beside it (settleParams).
 */
type SettleRecord = unknown[];

function settleRecord(s: Settlement): SettleRecord {
  let outcome: string = s.kind;
  let message: string | null = null;
  let errorClass: string | null = null;
  let fingerprint: string | null = null;
  let runAt: string | null = null;
  let ran = true;
  switch (s.kind) {
    case 'completed':
      break;
    case 'retry':
    case 'failed':
      outcome = s.outcome;
      ({ message, error_class: errorClass, fingerprint } = s.error);
      if (s.kind === 'retry') runAt = validTime(s.run_at, 'retry run_at');
      break;
    case 'interrupted':
    case 'cancelled':
      message = s.reason;
      ran = s.ran;
      break;
  }
  const record: SettleRecord = [
    s.jobId,
    s.attemptId,
    s.workerId,
    s.kind,
    outcome,
    s.resource_usage || null,
    s.output_tail ?? null,
    s.security_context || null,
    message,
    errorClass,
    fingerprint,
    runAt,
    ran ? null : false,
    s.ended_at === undefined ? null : validTime(s.ended_at, 'ended_at'),
    s.lease_unconfirmed === true ? true : null,
  ];
  while (record.length > 5 && record[record.length - 1] === null) record.pop();
  return record;
}

function validTime(at: string, what: string): string {
  const t = Date.parse(at);
  if (Number.isNaN(t)) throw new StoreInputError(`${what} "${at.slice(0, 40)}" is not a date`);
  return new Date(t).toISOString();
}

/**
 * The settle's parameters: the settlements' records, the lease rows done, and how long each attempt ran
 * (0053), by place, null where it does not say: beside the records, so none grows by a field.
 */
export function settleParams(settlements: Settlement[], doneLeases: number[]): [string, number[], Array<number | null>] {
  return [jsonNoNul(settlements.map(settleRecord)), doneLeases, settlements.map(runMsOf)];
}

/**
 * `doneLeases`: the lease rows whose last attempts these settlements are (see leases.ts). `readied`: the
 * settle put a job back or finished a workflow task, so jobs may have become claimable (StoreSignal).
 */
export async function settleJobs(db: PgDb, settlements: Settlement[], doneLeases: number[]): Promise<SettleOutcome> {
  if (settlements.length === 0) return { landed: [], readied: false };
  const rows = await db.engineQuery(SETTLE_SQL, settleParams(settlements, doneLeases), 'opsdeck_settle');
  return { landed: idsOf(rows), readied: rows.some((row) => row.readied === true) };
}

const AttemptRow = z.object({
  id: z.number(),
  job_id: z.number(),
  worker_id: z.string(),
  outcome: z.string(),
  error_message: z.string().nullable(),
  error_class: z.string().nullable(),
});

/** The attempts of settlements sent before without an answer, read back by id: which of them a settle recorded. */
export async function settledEarlier(db: PgDb, settlements: Settlement[]): Promise<number[]> {
  if (settlements.length === 0) return [];
  const rows = await db.engineQuery(
    `SELECT id, job_id, worker_id, outcome, error_message, error_class FROM jobs.tb_job_attempt WHERE id = ANY($1::bigint[])`,
    [settlements.map((s) => s.attemptId)],
  );
  // The settle's JSON carries its text cleaned as jsonNoNul cleans it: compared so.
  return settledAsSent(settlements, rows.map((row) => AttemptRow.parse(row)), (text) => noNul(text).toWellFormed());
}

/**
 * Expired leases back, found among the jobs the lease rows name (jobs.tb_job_lease): lost attempts are
 * spent (out of attempts: into the dead-letter queue), except while the emergency stop is engaged, when
 * they were interrupted on purpose and are given back. The attempts in $2 are left alone: the calling
 * worker holds them and will settle them itself (Store.reclaimExpired); with $3, every job not leased to
 * that worker is too, and only its lease rows are read (a claim writes its row under the worker it leases
 * the jobs to, and only a claim makes a worker a job's lease owner). Lease rows none of whose jobs is running
 * under their worker any more (its settle never came: it died, or the watchdog took the jobs) are forgotten.
 */
const RECLAIM_SQL = `
WITH gate AS (
  SELECT emergency_stop AS stopped FROM jobs.tb_control
),
expired AS (
  SELECT j.id, j.attempt_id, j.lease_owner, j.attempts, j.started_at, j.cancel_requested
  FROM jobs.tb_job_run j
  WHERE j.id = ANY(ARRAY(SELECT unnest(l.job_ids) FROM jobs.tb_job_lease l WHERE $3::text IS NULL OR l.worker_id = $3::text))
    AND j.status = 'running' AND j.lease_expires_at < coalesce($1::timestamptz, now())
    AND (j.attempt_id IS NULL OR j.attempt_id <> ALL($2::bigint[]))
    AND ($3::text IS NULL OR j.lease_owner = $3::text)
  ORDER BY j.id
  FOR UPDATE OF j SKIP LOCKED
),
decided AS (
  SELECT e.*,
    CASE WHEN e.cancel_requested THEN 'cancelled' WHEN g.stopped THEN 'interrupted' ELSE 'lost' END AS outcome,
    'lease expired: worker ' || coalesce(e.lease_owner, 'unknown') || ' stopped renewing it' AS lost_message
  FROM expired e, gate g
),
reclaimed AS (
  UPDATE jobs.tb_job_run j SET
    status = CASE WHEN d.outcome = 'cancelled' THEN 'cancelled'
      WHEN d.outcome = 'interrupted' OR j.attempts < j.max_attempts THEN 'pending' ELSE 'failed' END,
    attempts = CASE WHEN d.outcome = 'interrupted' THEN greatest(j.attempts - 1, 0) ELSE j.attempts END,
    run_at = CASE WHEN d.outcome = 'interrupted' OR (d.outcome = 'lost' AND j.attempts < j.max_attempts) THEN now() ELSE j.run_at END,
    completed_at = CASE WHEN d.outcome = 'cancelled' OR (d.outcome = 'lost' AND j.attempts >= j.max_attempts) THEN now() END,
    lease_owner = NULL,
    lease_expires_at = NULL,
    attempt_id = NULL,
    updated_at = now(),
    error_message = CASE WHEN d.outcome = 'lost' THEN d.lost_message ELSE j.error_message END,
    error_fingerprint = CASE WHEN d.outcome = 'lost' THEN 'lease-expired:' || j.service_name ELSE j.error_fingerprint END,
    resolved_at = NULL,
    resolution = NULL
  FROM decided d
  WHERE j.id = d.id
  RETURNING j.id, j.status, j.queue, j.service_name, j.execution_type, j.error_fingerprint, j.priority, j.run_at, d.attempt_id,
    d.lease_owner, d.attempts, d.started_at, d.outcome, d.lost_message, j.workflow_run_id
),
counted AS (
  ${countsFrom(`SELECT queue, service_name, execution_type, 'running' AS state, '' AS fingerprint, -1 AS delta FROM reclaimed
    UNION ALL SELECT queue, service_name, execution_type, status, '', 1 FROM reclaimed
    UNION ALL SELECT queue, service_name, execution_type, 'dead_letter', coalesce(error_fingerprint, ''), 1 FROM reclaimed
      WHERE status = 'failed'`)}
),
rolled AS (
  ${rollupFrom('reclaimed', { failed: "status = 'failed'", retried: "status = 'pending' AND outcome = 'lost'", cancelled: "status = 'cancelled'" })}
),
failures AS (
  ${failuresFrom('reclaimed', { rows: "outcome = 'lost'", errorClass: "'lost'", message: 'lost_message', dead: "status = 'failed'" })}
),
forgotten AS (
  -- This statement's snapshot still shows the reclaimed jobs running: they count as gone.
  DELETE FROM jobs.tb_job_lease l WHERE NOT EXISTS (
    SELECT 1 FROM jobs.tb_job_run j
    WHERE j.id = ANY(l.job_ids) AND j.status = 'running' AND j.lease_owner = l.worker_id
      AND j.id NOT IN (SELECT id FROM reclaimed)
  )
),
requeued AS (
  ${readyRowsFrom('reclaimed', "status = 'pending'")}
),
closed AS (
  INSERT INTO jobs.tb_job_attempt (id, job_id, attempt, worker_id, started_at, finished_at, outcome, error_message, error_class)
  SELECT r.attempt_id, r.id, r.attempts, coalesce(r.lease_owner, 'unknown'), coalesce(r.started_at, now()), now(), r.outcome,
    CASE r.outcome
      WHEN 'cancelled' THEN 'cancelled by an operator; its worker stopped answering before it confirmed'
      WHEN 'interrupted' THEN 'lease expired during the emergency stop'
      ELSE r.lost_message END,
    CASE WHEN r.outcome = 'lost' THEN 'lost' END
  FROM reclaimed r
  WHERE r.attempt_id IS NOT NULL
)
SELECT id, status, workflow_run_id FROM reclaimed ORDER BY id`;

const ReclaimRow = z.object({ id: z.number(), status: z.string(), workflow_run_id: z.number().nullable() });

/**
 * One transaction: a workflow task that the reclaim failed or cancelled moves its run on (its dependents
 * are blocked) before the reclaim commits.
 */
export async function reclaimExpiredJobs(db: PgDb, now: Date | undefined, settling: readonly number[], owner: string | undefined): Promise<ReclaimResult> {
  return db.tx(async (client) => {
    const values = [now ? now.toISOString() : null, settling, owner ?? null];
    const result = await client.query({ name: 'opsdeck_reclaim', text: RECLAIM_SQL, values, query_timeout: ENGINE_ANSWER_MS });
    const out: ReclaimResult = { retried: [], failed: [], cancelled: [] };
    const runs = new Set<number>();
    for (const row of result.rows) {
      const r = ReclaimRow.parse(row);
      (r.status === 'failed' ? out.failed : r.status === 'cancelled' ? out.cancelled : out.retried).push(r.id);
      if (r.workflow_run_id !== null && r.status !== 'pending') runs.add(r.workflow_run_id);
    }
    if (runs.size > 0) await client.query(`SELECT jobs.opsdeck_workflow_advance($1::bigint[])`, [[...runs]]);
    return out;
  });
}

