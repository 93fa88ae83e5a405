import { z } from 'zod';
import type { Actor, AuditEntry, BreakerMode, BreakerRecord, ControlState, WorkerInfo } from '../../../shared/domain.ts';
import { ENGINE_ACTOR, actorName } from '../actor.ts';
import { clampLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import type { PgDb, Queryable, Row } from './db.ts';
import { rowsOf } from './db.ts';
import { CHANNEL } from './signals.ts';
import { reasonOf, writeAudit } from './operator.ts';
import { BREAKER_COLUMNS, toAudit, toBreaker, toControl, toWorker, WORKER_COLUMNS } from './rows.ts';
import { jsonNoNul, noNul, noNulOrNull } from './text.ts';
import type { NewAuditEntry, Page, PageRequest, StoreSignal } from '../store.ts';
import type { BreakerTransition } from '../breakerStore.ts';
import type { ControlChange, EmergencyStopChange, StoppedJobs } from '../controlStore.ts';
import { UNMEASURED, type WorkerBeat, type WorkerForget, type WorkerRegistration } from '../workerStore.ts';
import { stoppedJobs } from '../stoppedJobs.ts';
import { controlAuditCounts } from '../controlAudit.ts';
import { drainOf, drainStopReason, type DrainEnded } from '../drain.ts';
import { modeChanges } from '../../../shared/breakerRecord.ts';

/**
 * The shared control plane on PostgreSQL: control flags, paused queues, breakers, workers, audit.
 * Changes other workers must obey are announced with pg_notify inside their own transaction, so the
 * notification goes out exactly when (and only if) the change commits.
 */

async function notify(client: Queryable, signal: StoreSignal): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [CHANNEL, signal]);
}

const CONTROL_SQL = `SELECT emergency_stop, emergency_stop_by, emergency_stop_at, emergency_stop_reason, safe_mode,
  safe_mode_by, safe_mode_at, safe_mode_reason, drain_by, drain_at, drain_until, version FROM jobs.tb_control`;
const PAUSED_SQL = `SELECT queue, paused_by AS by, paused_at AS at, reason FROM jobs.tb_paused_queue ORDER BY queue`;

async function readControl(client: Queryable): Promise<ControlState> {
  const control = await rowsOf(client, CONTROL_SQL);
  const paused = await rowsOf(client, PAUSED_SQL);
  return toControl(control[0], paused);
}

/**
 * The control row with its paused queues beside it as json: one statement, one snapshot, so the flags and
 * the paused queues agree with each other. Read back with controlOfRow.
 */
export const CONTROL_STATE_SQL = `SELECT c.*, coalesce((SELECT json_agg(json_build_object('queue', p.queue, 'by', p.paused_by, 'at', p.paused_at, 'reason', p.reason) ORDER BY p.queue)
       FROM jobs.tb_paused_queue p), '[]'::json) AS paused
     FROM (${CONTROL_SQL}) c`;

const PausedJson = z.array(z.object({ queue: z.string(), by: z.string(), at: z.string(), reason: z.string().nullable() }));

export function controlOfRow(row: Row | undefined): ControlState {
  const paused = PausedJson.parse(row?.paused ?? []);
  return toControl(row, paused.map((p) => ({ ...p, at: new Date(p.at).toISOString() })));
}

export async function getControl(db: PgDb): Promise<ControlState> {
  return controlOfRow((await db.engineQuery(CONTROL_STATE_SQL))[0]);
}

/**
 * `change` says whether it changed anything; only a change is audited, counted in the version and
 * announced. Each change's statement writes only when the state is not already as asked, so of two
 * operators at once the second waits for the first's row lock, reads its result afresh and changes nothing.
 */
function changeControl(db: PgDb, change: (client: Queryable) => Promise<boolean>): Promise<ControlChange> {
  return db.tx(async (client) => {
    const changed = await change(client);
    if (changed) {
      await client.query('UPDATE jobs.tb_control SET version = version + 1');
      await notify(client, 'control');
    }
    return { state: await readControl(client), changed };
  });
}

/** The running and pending jobs, of every queue or of one, from the kept counts, in the caller's transaction. */
async function jobsFound(client: Queryable, queue: string | null): Promise<StoppedJobs> {
  const rows = await rowsOf(
    client,
    `SELECT service_name, state, sum(n) AS n FROM jobs.tb_job_count WHERE state IN ('running', 'pending') AND ($1::text IS NULL OR queue = $1)
     GROUP BY service_name, state HAVING sum(n) <> 0`,
    [queue],
  );
  return stoppedJobs(rows.map((r) => ({ service_name: String(r.service_name), state: String(r.state), n: Number(r.n) })));
}

export async function setEmergencyStop(db: PgDb, engaged: boolean, actor: Actor, reason: string | null): Promise<EmergencyStopChange> {
  reason = reasonOf(reason);
  let stopped: StoppedJobs | null = null;
  const change = await changeControl(db, async (client) => {
    // A deadlock's retry runs this again: a count from the attempt rolled back must not outlive it.
    stopped = null;
    const set = await rowsOf(
      client,
      `UPDATE jobs.tb_control SET emergency_stop = $1, emergency_stop_by = $2, emergency_stop_at = now(), emergency_stop_reason = $3
       WHERE emergency_stop <> $1 RETURNING version`,
      [engaged, actorName(actor), reason],
    );
    if (set.length === 0) return false;
    // In the stop's own transaction, once its row is written: a claim that reads the control after it commits takes nothing.
    const found = await jobsFound(client, null);
    if (engaged) stopped = found;
    const counted = controlAuditCounts(engaged ? 'stop' : 'release', found);
    await writeAudit(client, actorName(actor), engaged ? 'control.emergency_stop' : 'control.resume', null, counted.job_count, { engaged, reason, ...counted.details });
    return true;
  });
  return { ...change, stopped };
}

export function setSafeMode(db: PgDb, engaged: boolean, actor: Actor, reason: string | null, drainSeconds?: number): Promise<ControlChange> {
  reason = reasonOf(reason);
  const drain = engaged ? drainSeconds : undefined;
  return changeControl(db, async (client) => {
    // Turned on or off, any drain goes: off ends it, and one turned on has none yet.
    const set = await rowsOf(
      client,
      `UPDATE jobs.tb_control SET safe_mode = $1, safe_mode_by = $2, safe_mode_at = now(), safe_mode_reason = $3,
         drain_by = NULL, drain_at = NULL, drain_until = NULL
       WHERE safe_mode <> $1 RETURNING version`,
      [engaged, actorName(actor), reason],
    );
    if (drain !== undefined) {
      await client.query(
        `UPDATE jobs.tb_control SET drain_by = $1, drain_at = now(), drain_until = now() + $2::float8 * interval '1 second'`,
        [actorName(actor), drain],
      );
    } else if (set.length === 0) return false;
    const counted = controlAuditCounts(engaged ? 'hold' : 'release', await jobsFound(client, null));
    await writeAudit(client, actorName(actor), 'control.safe_mode', null, counted.job_count, {
      engaged,
      reason,
      ...(drain === undefined ? {} : { drain_s: drain }),
      ...counted.details,
    });
    return true;
  });
}

const DueDrain = z.object({
  drain_by: z.string(),
  drain_at: z.string(),
  drain_until: z.string(),
  safe_mode: z.boolean(),
  emergency_stop: z.boolean(),
});

/** Store.endDrain: the control row locked, so of the workers that try at once one ends it. */
export async function endDrain(db: PgDb): Promise<DrainEnded | null> {
  // Set inside the transaction's callback, which a deadlock's retry runs again.
  const outcome: { ended: Omit<DrainEnded, 'state'> | null } = { ended: null };
  const change = await changeControl(db, async (client) => {
    // A deadlock's retry runs this again: what the attempt rolled back found must not outlive it.
    outcome.ended = null;
    const due = await rowsOf(
      client,
      `SELECT drain_by, drain_at, drain_until, safe_mode, emergency_stop FROM jobs.tb_control WHERE drain_until <= now() FOR UPDATE`,
    );
    if (due[0] === undefined) return false;
    const row = DueDrain.parse(due[0]);
    const drain = drainOf(row.drain_by, row.drain_at, row.drain_until).drain;
    if (drain === undefined) return false;
    await client.query('UPDATE jobs.tb_control SET drain_by = NULL, drain_at = NULL, drain_until = NULL');
    const found = await jobsFound(client, null);
    const running = Object.values(found.runningByService).reduce((sum, n) => sum + n, 0);
    if (running === 0 || !row.safe_mode || row.emergency_stop) {
      outcome.ended = { drain, running, stopped: null };
      return true;
    }
    const reason = drainStopReason(running, drain.seconds);
    await client.query('UPDATE jobs.tb_control SET emergency_stop = true, emergency_stop_by = $1, emergency_stop_at = now(), emergency_stop_reason = $2', [drain.by, reason]);
    const counted = controlAuditCounts('stop', found);
    await writeAudit(client, drain.by, 'control.emergency_stop', null, counted.job_count, { engaged: true, reason, drain_s: drain.seconds, ...counted.details });
    outcome.ended = { drain, running, stopped: found };
    return true;
  });
  return outcome.ended === null ? null : { ...outcome.ended, state: change.state };
}

export function setQueuePaused(db: PgDb, queue: string, paused: boolean, actor: Actor, reason: string | null): Promise<ControlChange> {
  reason = reasonOf(reason);
  return changeControl(db, async (client) => {
    const set = paused
      ? await rowsOf(
          client,
          `INSERT INTO jobs.tb_paused_queue (queue, paused_by, paused_at, reason) VALUES ($1, $2, now(), $3)
           ON CONFLICT (queue) DO NOTHING RETURNING queue`,
          [queue, actorName(actor), reason],
        )
      : await rowsOf(client, 'DELETE FROM jobs.tb_paused_queue WHERE queue = $1 RETURNING queue', [queue]);
    if (set.length === 0) return false;
    const counted = controlAuditCounts(paused ? 'hold' : 'release', await jobsFound(client, queue));
    await writeAudit(client, actorName(actor), paused ? 'queue.pause' : 'queue.unpause', queue, counted.job_count, { paused, reason, ...counted.details });
    return true;
  });
}

// ---- breakers ---------------------------------------------------------------------------------------

export async function listBreakers(db: PgDb): Promise<BreakerRecord[]> {
  return (await db.engineQuery(`SELECT ${BREAKER_COLUMNS} FROM jobs.tb_breaker ORDER BY service_name`)).map(toBreaker);
}

export async function getBreaker(db: PgDb, service: string): Promise<BreakerRecord | null> {
  const rows = await db.engineQuery(`SELECT ${BREAKER_COLUMNS} FROM jobs.tb_breaker WHERE service_name = $1`, [service]);
  return rows[0] ? toBreaker(rows[0]) : null;
}

function breakerValues(r: BreakerRecord): unknown[] {
  return [
    r.service_name, r.state, r.mode, r.window_started_at, r.window_failures, r.window_successes, r.prev_failures,
    r.prev_successes, r.opened_at, r.probes_in_flight, r.probe_started_at, r.last_transition_at, noNulOrNull(r.last_error),
    r.mode_set_by, r.mode_set_at, noNulOrNull(r.mode_reason), r.version, r.left_closed_at,
  ];
}

const BREAKER_INSERT = `INSERT INTO jobs.tb_breaker (${BREAKER_COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
  ON CONFLICT (service_name) DO NOTHING RETURNING service_name`;

const BREAKER_UPDATE = `UPDATE jobs.tb_breaker SET state = $2, mode = $3, window_started_at = $4, window_failures = $5,
  window_successes = $6, prev_failures = $7, prev_successes = $8, opened_at = $9, probes_in_flight = $10,
  probe_started_at = $11, last_transition_at = $12, last_error = $13, mode_set_by = $14, mode_set_at = $15,
  mode_reason = $16, version = $17, left_closed_at = $18
  WHERE service_name = $1 AND version = $17 - 1 RETURNING service_name`;

/** Optimistic: lands only on the version the caller read; a transition is audited in the same transaction. */
export async function saveBreaker(db: PgDb, record: BreakerRecord, transition: BreakerTransition | null): Promise<boolean> {
  const sql = record.version === 1 ? BREAKER_INSERT : BREAKER_UPDATE;
  if (!Number.isInteger(record.version) || record.version < 1) return false;
  if (!transition) return (await db.engineQuery(sql, breakerValues(record))).length > 0;
  return db.tx(async (client) => {
    const saved = await rowsOf(client, sql, breakerValues(record));
    if (saved.length === 0) return false;
    await writeAudit(client, ENGINE_ACTOR, 'breaker.transition', record.service_name, null, {
      from: transition.from,
      to: transition.to,
      reason: noNul(transition.reason),
    });
    await notify(client, 'breakers');
    return true;
  });
}

/**
 * Decided under the row's lock, so a breaker tripping meanwhile is reset, not skipped. One never stored is
 * closed in auto: only a forced mode changes it, so only then is its row made.
 */
export function setBreakerModeIfItChanges(db: PgDb, service: string, mode: BreakerMode | 'reset', actor: Actor, reason: string | null): Promise<BreakerRecord | null> {
  return db.tx(async (client) => {
    if (mode === 'force_open' || mode === 'force_closed') {
      await client.query('INSERT INTO jobs.tb_breaker (service_name) VALUES ($1) ON CONFLICT (service_name) DO NOTHING', [service]);
    }
    const current = await lockedBreaker(client, service);
    if (current === null || !modeChanges(current, mode)) return null;
    return setModeLocked(client, current, mode, actor, reason);
  });
}

async function lockedBreaker(client: Queryable, service: string): Promise<BreakerRecord | null> {
  const rows = await rowsOf(client, `SELECT ${BREAKER_COLUMNS} FROM jobs.tb_breaker WHERE service_name = $1 FOR UPDATE`, [service]);
  return rows[0] ? toBreaker(rows[0]) : null;
}

async function setModeLocked(client: Queryable, previous: BreakerRecord, mode: BreakerMode | 'reset', actor: Actor, reason: string | null): Promise<BreakerRecord> {
  const service = previous.service_name;
  reason = reasonOf(reason);
  const rows =
    mode === 'reset'
      ? await rowsOf(
          client,
          `UPDATE jobs.tb_breaker SET state = 'closed', mode = 'auto', window_started_at = now(), window_failures = 0,
             window_successes = 0, prev_failures = 0, prev_successes = 0, opened_at = NULL, left_closed_at = NULL,
             probes_in_flight = 0, probe_started_at = NULL, last_transition_at = CASE WHEN state <> 'closed' THEN now() ELSE last_transition_at END,
             last_error = NULL, mode_set_by = $2, mode_set_at = now(), mode_reason = $3, version = version + 1
           WHERE service_name = $1 RETURNING ${BREAKER_COLUMNS}`,
          [service, actorName(actor), reason],
        )
      : await rowsOf(
          client,
          `UPDATE jobs.tb_breaker SET mode = $4, mode_set_by = $2, mode_set_at = now(), mode_reason = $3, version = version + 1
           WHERE service_name = $1 RETURNING ${BREAKER_COLUMNS}`,
          [service, actorName(actor), reason, mode],
        );
  const row = rows[0];
  if (!row) throw new Error(`breaker ${service} vanished while it was being changed`);
  await writeAudit(client, actorName(actor), `breaker.${mode}`, service, null, {
    reason,
    from_mode: previous.mode,
    from_state: previous.state,
  });
  await notify(client, 'breakers');
  return toBreaker(row);
}

// ---- workers ----------------------------------------------------------------------------------------

/**
 * Workers that stopped a day ago, or went silent a week ago, are forgotten when a worker registers (a
 * laptop that slept through a weekend still shows as lost, not gone), as on SQLite.
 */
const FORGET_STOPPED_MS = 24 * 3_600_000;
const FORGET_SILENT_MS = 7 * 24 * 3_600_000;

export async function registerWorker(db: PgDb, w: WorkerRegistration): Promise<void> {
  await db.engineQuery(
    `WITH forgotten AS (
       DELETE FROM jobs.tb_worker
       WHERE id <> $1 AND ((state = 'stopped' AND last_heartbeat_at < now() - $8::float8 * interval '1 millisecond')
         OR last_heartbeat_at < now() - $9::float8 * interval '1 millisecond')
     ),
     registered AS (
       INSERT INTO jobs.tb_worker (id, name, host, pid, version, concurrency, queues, services, started_at, last_heartbeat_at, state, in_flight,
         registry_digest, registry_path, registry_loaded_at)
       VALUES ($1, $11, $2, $3, $4, $5, $6::text[], $10::text[], now(), now(), 'running', 0, $12, $13, $14::timestamptz)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, host = EXCLUDED.host, pid = EXCLUDED.pid, version = EXCLUDED.version,
         concurrency = EXCLUDED.concurrency, queues = EXCLUDED.queues, services = EXCLUDED.services, started_at = now(),
         last_heartbeat_at = now(), state = 'running', in_flight = 0, rss_bytes = NULL, heap_used_bytes = NULL, cpu_percent = NULL,
         registry_digest = EXCLUDED.registry_digest, registry_path = EXCLUDED.registry_path, registry_loaded_at = EXCLUDED.registry_loaded_at,
         cannot_run = NULL, pool = NULL
       RETURNING id
     )
     SELECT pg_notify($7, 'workers') FROM registered`,
    [w.id, w.host, w.pid, w.version, w.concurrency, w.queues, CHANNEL, FORGET_STOPPED_MS, FORGET_SILENT_MS, w.services ?? null, w.name ?? null,
      w.registry?.digest ?? null, w.registry?.path ?? null, w.registry?.loaded_at ?? null],
  );
}

const HeartbeatRow = z.object({ before: z.string().nullable(), after: z.string().nullable() });

/**
 * Whether the worker still has its row (`known`: an operator may have forgotten it) and whether its state
 * changed (`changed`: worth announcing; plain heartbeats are not).
 */
export async function heartbeat(db: PgDb, workerId: string, beat: WorkerBeat): Promise<{ known: boolean; changed: boolean }> {
  const { inFlight, state, services, registry, cannotRun } = beat;
  const { memory, cpu_percent, pool } = beat.usage ?? UNMEASURED;
  const rows = await db.engineQuery(
    `WITH prev AS (SELECT state FROM jobs.tb_worker WHERE id = $1 FOR UPDATE),
     upd AS (
       UPDATE jobs.tb_worker SET in_flight = $2, state = $3, last_heartbeat_at = now(), services = coalesce($4::text[], services),
         rss_bytes = $5, heap_used_bytes = $6, cpu_percent = $7, registry_digest = coalesce($8, registry_digest),
         registry_path = CASE WHEN $8::text IS NULL THEN registry_path ELSE $9 END, registry_loaded_at = coalesce($10::timestamptz, registry_loaded_at),
         cannot_run = coalesce($11::jsonb, cannot_run), pool = $12::jsonb
       WHERE id = $1 RETURNING state
     )
     SELECT (SELECT state FROM prev) AS before, (SELECT state FROM upd) AS after`,
    [workerId, Math.max(0, Math.trunc(inFlight)), state, services ?? null, memory?.rss_bytes ?? null, memory?.heap_used_bytes ?? null, cpu_percent,
      registry?.digest ?? null, registry?.path ?? null, registry?.loaded_at ?? null, cannotRun === undefined ? null : JSON.stringify(cannotRun),
      pool === null ? null : JSON.stringify(pool)],
    'opsdeck_heartbeat',
  );
  const r = HeartbeatRow.parse(rows[0] ?? { before: null, after: null });
  if (r.after === null) return { known: false, changed: false };
  if (r.before === r.after) return { known: true, changed: false };
  await db.engineQuery('SELECT pg_notify($1, $2)', [CHANNEL, 'workers']);
  return { known: true, changed: true };
}

export async function listWorkers(db: PgDb, lostAfterMs: number): Promise<WorkerInfo[]> {
  const rows = await db.read(
    `SELECT ${WORKER_COLUMNS},
       state <> 'stopped' AND last_heartbeat_at < now() - $1::float8 * interval '1 millisecond' AS lost
     FROM jobs.tb_worker ORDER BY started_at DESC, id`,
    [Math.max(0, lostAfterMs)],
  );
  return rows.map(toWorker);
}

const HeldRow = z.object({ n: z.coerce.number() });

export function forgetWorker(db: PgDb, id: string, lostAfterMs: number, actor: Actor): Promise<WorkerForget | null> {
  return db.tx(async (client) => {
    const rows = await rowsOf(
      client,
      `SELECT ${WORKER_COLUMNS},
         state <> 'stopped' AND last_heartbeat_at < now() - $2::float8 * interval '1 millisecond' AS lost
       FROM jobs.tb_worker WHERE id = $1 FOR UPDATE`,
      [id, Math.max(0, lostAfterMs)],
    );
    const row = rows[0];
    if (row === undefined) return null;
    const worker = toWorker(row);
    // The jobs leased to it, read as the worker reads its own (through its lease rows, by the index).
    const held = await rowsOf(
      client,
      `SELECT count(*) AS n FROM jobs.tb_job_run
       WHERE id = ANY(ARRAY(SELECT unnest(job_ids) FROM jobs.tb_job_lease WHERE worker_id = $1)) AND status = 'running' AND lease_owner = $1`,
      [id],
    );
    const jobs = HeldRow.parse(held[0] ?? { n: 0 }).n;
    if (worker.state !== 'stopped' && !worker.lost) return { outcome: 'alive', worker, jobs };
    if (jobs > 0) return { outcome: 'holds_jobs', worker, jobs };
    await client.query('DELETE FROM jobs.tb_worker WHERE id = $1', [id]);
    await writeAudit(client, actorName(actor), 'worker.forget', id, null, {
      host: worker.host,
      pid: worker.pid,
      state: worker.lost ? 'lost' : worker.state,
      last_heartbeat_at: worker.last_heartbeat_at,
    });
    await notify(client, 'workers');
    return { outcome: 'forgotten', worker, jobs };
  });
}

// ---- audit ------------------------------------------------------------------------------------------

export async function audit(db: PgDb, entry: NewAuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO jobs.tb_audit_log (actor, action, target, job_count, details) VALUES ($1, $2, $3, $4, $5::jsonb)`,
    [noNul(actorName(entry.actor)), noNul(entry.action), noNulOrNull(entry.target ?? null), entry.job_count ?? null, entry.details ? jsonNoNul(entry.details) : null],
  );
}

export async function listAudit(db: PgDb, filter: { action?: string; search?: string }, page: PageRequest): Promise<Page<AuditEntry>> {
  const limit = clampLimit(page.limit);
  const after = decodeCursor(page.after);
  const rows = await db.read(
    `SELECT id, at, actor, action, target, job_count, details FROM jobs.tb_audit_log
     WHERE ($1::text IS NULL OR action = $1)
       AND ($2::text IS NULL OR strpos(lower(concat_ws(' ', actor, action, target, details::text)), lower($2)) > 0)
       AND ($3::bigint IS NULL OR id < $3)
     ORDER BY id DESC LIMIT $4`,
    [filter.action || null, filter.search || null, after, limit + 1],
  );
  const items = rows.slice(0, limit).map(toAudit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
