import { z } from 'zod';
import { StoreInputError } from '../errors.ts';
import { checkNewJob, generatedIdentifier, sameGroup } from '../newJobs.ts';
import type { PgDb, Queryable } from './db.ts';
import { rowsOf } from './db.ts';
import { claimFromJson, idsOf } from './rows.ts';
import type { Claim } from './rows.ts';
import { readyRowsFrom } from './ready.ts';
import { jsonNoNul } from './text.ts';
import type { ClaimRequest, EnqueueResult, NewJob, ReclaimResult, Settlement } from '../store.ts';

/**
 * The hot path on PostgreSQL: enqueue, claim, extend, settle, reclaim. Each is one statement per batch
 * (one JSON array or id array in), so a batch of N jobs costs one round trip, not N.
 */

const ENQUEUE_CHUNK = 5000;

const ENQUEUE_COLUMNS = `AS t(identifier text, queue text, service_name text, execution_type text, payload jsonb, priority int,
      max_attempts int, run_at timestamptz, ord bigint)`;

const ENQUEUE_SQL = `
WITH input AS (
  SELECT t.*, row_number() OVER (PARTITION BY t.identifier ORDER BY t.ord) AS nth
  FROM json_to_recordset($1::json) ${ENQUEUE_COLUMNS}
),
inserted AS (
  INSERT INTO jobs.tb_job_run (identifier, queue, service_name, execution_type, payload, priority, max_attempts, run_at)
  SELECT identifier, queue, service_name, execution_type, payload, priority, max_attempts, coalesce(run_at, now())
  FROM input WHERE nth = 1 ORDER BY ord
  ON CONFLICT (identifier) DO NOTHING
  RETURNING id, identifier, queue, service_name, priority, run_at
),
ready AS (
  ${readyRowsFrom('inserted')}
)
SELECT i.ord, i.identifier,
  coalesce(n.id, (SELECT j.id FROM jobs.tb_job_run j WHERE j.identifier = i.identifier)) AS id,
  (n.id IS NOT NULL AND i.nth = 1) AS created
FROM input i
LEFT JOIN inserted n ON n.identifier = i.identifier
ORDER BY i.ord`;

/**
 * The common bulk (one service's jobs, alike in queue, type, priority and attempts, none naming an
 * identifier or a run_at) sends its payloads alone: parsing one object per job with nine keys was a
 * quarter of the whole enqueue. Identifiers are the group's generated prefix and each job's place, as on
 * SQLite. Such a batch cannot repeat itself and is all but certain not to meet an existing row, so it is
 * a plain INSERT; should an identifier exist after all, the unique index refuses the statement whole and
 * the batch goes again the careful way.
 */
const ENQUEUE_UNIFORM_SQL = `
WITH inserted AS (
  INSERT INTO jobs.tb_job_run (identifier, queue, service_name, execution_type, payload, priority, max_attempts, run_at)
  SELECT $1::text || (e.n - 1), $2::text, $3::text, $4::text, nullif(e.payload, 'null'::jsonb), $5::int, $6::int, now()
  FROM jsonb_array_elements($7::jsonb) WITH ORDINALITY AS e(payload, n)
  ORDER BY e.n
  RETURNING id, identifier, queue, service_name, priority, run_at
),
ready AS (
  ${readyRowsFrom('inserted')}
)
SELECT json_object_agg(identifier, id)::text AS ids FROM inserted`;

const EnqueueRow = z.object({ identifier: z.string(), id: z.number().nullable(), created: z.boolean() });
const UniformResult = z.object({ ids: z.string() });
const IdsByIdentifier = z.record(z.string(), z.number());

const UNIQUE_VIOLATION = '23505';

export async function enqueueJobs(db: PgDb, jobs: NewJob[]): Promise<EnqueueResult[]> {
  if (jobs.length === 0) return [];
  jobs.forEach(checkNewJob);
  const uniform = jobs.length <= ENQUEUE_CHUNK && isUniform(jobs);
  const prefix = uniform ? `${generatedIdentifier(jobs[0]?.service_name ?? '')}-` : '';
  const identifiers = uniform ? jobs.map((_, place) => `${prefix}${place}`) : jobs.map((j) => j.identifier ?? generatedIdentifier(j.service_name));
  const insert = async (client: Queryable) => {
    try {
      return (uniform && (await insertUniform(client, jobs, prefix, identifiers))) || (await insertChunks(client, jobs, identifiers));
    } catch (err) {
      throw badValue(err) ?? err;
    }
  };
  // One chunk is one statement, atomic on its own; more chunks share a transaction (all or nothing).
  const results =
    jobs.length <= ENQUEUE_CHUNK
      ? await insert(db.pool).catch((err: unknown) => {
          throw db.wrap(err);
        })
      : await db.tx(insert);
  // A row another transaction inserted while ours ran is not visible to our statement's snapshot:
  // look those up again now that it has committed.
  const missing = results.filter((r) => r.id === 0);
  if (missing.length > 0) {
    const rows = await db.query('SELECT id, identifier FROM jobs.tb_job_run WHERE identifier = ANY($1::text[])', [missing.map((m) => m.identifier)]);
    const byIdentifier = new Map(rows.map((row) => [String(row.identifier), Number(row.id)]));
    for (const r of missing) r.id = byIdentifier.get(r.identifier) ?? 0;
  }
  return results;
}

/** The rows of one chunk as the enqueue statements read them. */
function chunkJson(jobs: NewJob[], identifiers: string[], start: number): string {
  const chunk = jobs.slice(start, start + ENQUEUE_CHUNK).map((j, i) => ({
    ord: i,
    identifier: identifiers[start + i],
    queue: j.queue,
    service_name: j.service_name,
    execution_type: j.execution_type,
    payload: j.payload ?? null,
    priority: j.priority ?? 0,
    max_attempts: j.max_attempts,
    run_at: j.run_at === undefined ? null : new Date(j.run_at).toISOString(),
  }));
  // One JSON array, not an array per column: pg escapes array elements one by one, far slower than
  // JSON.stringify, and each payload goes in as the JSON it is instead of a string inside an array.
  return JSON.stringify(chunk);
}

/** Jobs that differ in payload alone, none with an identifier or run_at of its own. */
function isUniform(jobs: NewJob[]): boolean {
  const [first] = jobs;
  if (!first) return false;
  return jobs.every((j) => j.identifier === undefined && j.run_at === undefined && sameGroup(first, j));
}

/** ENQUEUE_UNIFORM_SQL; null when an identifier existed after all and nothing was written. */
async function insertUniform(client: Queryable, jobs: NewJob[], prefix: string, identifiers: string[]): Promise<EnqueueResult[] | null> {
  const [first] = jobs;
  if (!first) return [];
  const params = [prefix, first.queue, first.service_name, first.execution_type, first.priority ?? 0, first.max_attempts, JSON.stringify(jobs.map((j) => j.payload ?? null))];
  let rows;
  try {
    rows = await rowsOf(client, ENQUEUE_UNIFORM_SQL, params, 'opsdeck_enqueue_uniform');
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === UNIQUE_VIOLATION) return null;
    throw err;
  }
  const ids = IdsByIdentifier.parse(JSON.parse(UniformResult.parse(rows[0]).ids));
  return identifiers.map((identifier) => {
    const id = ids[identifier];
    if (id === undefined) throw new Error(`enqueue: the insert returned no row for "${identifier}"`);
    return { id, identifier, created: true };
  });
}

async function insertChunks(client: Queryable, jobs: NewJob[], identifiers: string[]): Promise<EnqueueResult[]> {
  const out: EnqueueResult[] = [];
  for (let start = 0; start < jobs.length; start += ENQUEUE_CHUNK) {
    const rows = await rowsOf(client, ENQUEUE_SQL, [chunkJson(jobs, identifiers, start)], 'opsdeck_enqueue');
    for (const row of rows) {
      const r = EnqueueRow.parse(row);
      out.push({ id: r.id ?? 0, identifier: r.identifier, created: r.created });
    }
  }
  return out;
}

/** Values PostgreSQL refuses to store are the caller's input, not a broken store. */
function badValue(err: unknown): StoreInputError | null {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case '22P05':
      return new StoreInputError(`a job payload holds text PostgreSQL cannot store (${message}): remove NUL (\\u0000) characters`);
    case '22003':
      return new StoreInputError(`a job's priority or max_attempts is out of range (${message})`);
    case '22007':
    case '22008':
      return new StoreInputError(`a job's run_at is outside the dates PostgreSQL stores (${message})`);
    case '22001':
    case '54000':
      return new StoreInputError(`a job field is too long (${message})`);
  }
  return null;
}

/**
 * One call: the control gate is read first, so a claim that starts after an emergency stop committed
 * never returns a job; then the head of the queue is locked (skipping rows other workers hold, and
 * paused queues) and leased. Capped services are fetched by their own LIMITed branch, so a cap never
 * hides other services' jobs behind it. The function lives in migrations/postgres/0005_hot_job_rows.sql
 * (its answer in 0007), where its planner settings travel with it; the jobs come back as one JSON array.
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
 * migrations/postgres/0007_lease_rows.sql (0006 before it), pinned to primary-key lookups.
 */
const SETTLE_SQL = 'SELECT id FROM jobs.opsdeck_settle($1::jsonb, $2::bigint[])';

/**
 * One settlement as the function reads it: fields at their places (0006 lists them), trailing empty ones
 * left off, so a plain completion is six elements.
 */
type SettleRecord = unknown[];

function settleRecord(s: Settlement): SettleRecord {
  let outcome: string = s.kind;
  let message: string | null = null;
  let errorClass: string | null = null;
  let fingerprint: string | null = null;
  let runAt: string | null = null;
  switch (s.kind) {
    case 'completed':
      break;
    case 'retry':
    case 'failed':
      outcome = s.outcome;
      ({ message, error_class: errorClass, fingerprint } = s.error);
      if (s.kind === 'retry') runAt = validRunAt(s.run_at);
      break;
    case 'interrupted':
    case 'cancelled':
      message = s.reason;
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
  ];
  while (record.length > 5 && record[record.length - 1] === null) record.pop();
  return record;
}

function validRunAt(runAt: string): string {
  const t = Date.parse(runAt);
  if (Number.isNaN(t)) throw new StoreInputError(`retry run_at "${runAt.slice(0, 40)}" is not a date`);
  return new Date(t).toISOString();
}

/** `doneLeases`: the lease rows whose last attempts these settlements are (see leases.ts). */
export async function settleJobs(db: PgDb, settlements: Settlement[], doneLeases: number[]): Promise<number[]> {
  if (settlements.length === 0) return [];
  const rows = await db.engineQuery(SETTLE_SQL, [jsonNoNul(settlements.map(settleRecord)), doneLeases], 'opsdeck_settle');
  return idsOf(rows);
}

/**
 * Expired leases back, found among the jobs the lease rows name (jobs.tb_job_lease): lost attempts are
 * spent (out of attempts: into the dead-letter queue), except while the emergency stop is engaged, when
 * they were interrupted on purpose and are given back. Lease rows none of whose jobs is running under
 * their worker any more (its settle never came: it died, or the watchdog took the jobs) are forgotten.
 */
const RECLAIM_SQL = `
WITH gate AS (
  SELECT emergency_stop AS stopped FROM jobs.tb_control
),
expired AS (
  SELECT j.id, j.attempt_id, j.lease_owner, j.attempts, j.started_at, j.cancel_requested
  FROM jobs.tb_job_run j
  WHERE j.id = ANY(ARRAY(SELECT unnest(l.job_ids) FROM jobs.tb_job_lease l))
    AND j.status = 'running' AND j.lease_expires_at < coalesce($1::timestamptz, now())
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
  RETURNING j.id, j.status, j.queue, j.service_name, j.priority, j.run_at, d.attempt_id, d.lease_owner, d.attempts,
    d.started_at, d.outcome, d.lost_message
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
    CASE WHEN r.outcome = 'lost' THEN 'LeaseExpired' END
  FROM reclaimed r
  WHERE r.attempt_id IS NOT NULL
)
SELECT id, status FROM reclaimed ORDER BY id`;

const ReclaimRow = z.object({ id: z.number(), status: z.string() });

export async function reclaimExpiredJobs(db: PgDb, now: Date | undefined): Promise<ReclaimResult> {
  const rows = await db.engineQuery(RECLAIM_SQL, [now ? now.toISOString() : null], 'opsdeck_reclaim');
  const out: ReclaimResult = { retried: [], failed: [], cancelled: [] };
  for (const row of rows) {
    const r = ReclaimRow.parse(row);
    (r.status === 'failed' ? out.failed : r.status === 'cancelled' ? out.cancelled : out.retried).push(r.id);
  }
  return out;
}

