import type { Actor, JsonObject } from '../../../shared/domain.ts';
import type { ScheduleFire, StoredSchedule } from '../../../shared/schedule.ts';
import type { DuePosition } from '../scheduleStore.ts';
import { actorName } from '../actor.ts';
import { clampLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import { FIRE_COLUMNS, SCHEDULE_COLUMNS, toFire, toSchedule } from '../scheduleRows.ts';
import { checkNewJob } from '../newJobs.ts';
import type { FireOutcome, FirePlan, FireWork, Page, PageRequest, SchedulePauseChange, ScheduleSync, ScheduleWrite } from '../store.ts';
import { fireKeyOf } from '../store.ts';
import type { PgDb, Queryable } from './db.ts';
import { rowsOf } from './db.ts';
import { insertChunks } from './enqueue.ts';
import { reasonOf, writeAudit } from './operator.ts';
import { jsonNoNul, noNul } from './text.ts';
import { startWorkflowRunIn } from './workflows.ts';

/**
 * Schedules and their fires (migrations 0014, 0017), shared by every worker of the fleet. A due schedule's
 * row is locked by the worker that fires it, and each fire's key is unique: two workers racing for one fire
 * make one job, or start one workflow run (inside the fire's transaction).
 */

const FROM = `FROM jobs.tb_schedule s
  LEFT JOIN jobs.tb_schedule_fire f ON f.id = s.last_fire_id
  LEFT JOIN jobs.tb_job_run j ON j.id = f.job_id
  LEFT JOIN jobs.tb_workflow_run r ON r.id = f.run_id`;

const FIRE_FROM = `FROM jobs.tb_schedule_fire f LEFT JOIN jobs.tb_job_run j ON j.id = f.job_id
  LEFT JOIN jobs.tb_workflow_run r ON r.id = f.run_id`;

const INSERT_FIRE = `INSERT INTO jobs.tb_schedule_fire (schedule_name, fire_at, fire_key, trigger_kind, status, reason, fire_count, recorded_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (fire_key) DO NOTHING RETURNING id`;

interface StateRow {
  source: string;
  timing: string;
  config: string;
  enabled: boolean;
  paused: boolean;
  next_fire_at: string | null;
}

async function stateOf(client: Queryable, name: string, lock: boolean): Promise<StateRow | null> {
  const rows = await rowsOf(
    client,
    `SELECT source, timing, config::text AS config, enabled, paused, next_fire_at FROM jobs.tb_schedule WHERE name = $1${lock ? ' FOR UPDATE' : ''}`,
    [name],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    source: String(row.source),
    timing: String(row.timing),
    config: String(row.config),
    enabled: row.enabled === true,
    paused: row.paused === true,
    next_fire_at: typeof row.next_fire_at === 'string' ? row.next_fire_at : null,
  };
}

async function one(client: Queryable, name: string): Promise<StoredSchedule | null> {
  const row = (await rowsOf(client, `SELECT ${SCHEDULE_COLUMNS} ${FROM} WHERE s.name = $1`, [name]))[0];
  return row ? toSchedule(row) : null;
}

/** The same JSON text jsonb gives back, so a config compares equal to what is stored when nothing changed. */
async function asStored(client: Queryable, config: unknown): Promise<string> {
  const rows = await rowsOf(client, `SELECT $1::jsonb::text AS config`, [jsonNoNul(config)]);
  return String(rows[0]?.config);
}

export function syncSchedules(db: PgDb, schedules: ScheduleWrite[], actor: Actor): Promise<ScheduleSync> {
  return db.tx(async (client) => {
    // One sync at a time across the fleet: workers loading the same registry at once must not race. An
    // advisory lock, not a table lock: fires keep going meanwhile, each holding only its schedule's row.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('opsdeck.schedules.sync'))`);
    const by = noNul(actorName(actor));
    const result: ScheduleSync = { added: [], updated: [], removed: [] };
    const listed: string[] = [];
    for (const write of schedules) {
      const { name } = write.config;
      listed.push(name);
      const config = await asStored(client, write.config);
      const before = await stateOf(client, name, true);
      if (!before) {
        await client.query(
          `INSERT INTO jobs.tb_schedule (name, source, config, timing, enabled, next_fire_at, created_by) VALUES ($1, 'registry', $2::jsonb, $3, $4, $5, $6)`,
          [name, config, write.timing, write.config.enabled, write.next_fire_at, by],
        );
        result.added.push(name);
      } else if (before.source !== 'registry' || before.config !== config || before.timing !== write.timing) {
        const next = before.timing === write.timing && before.source === 'registry' ? before.next_fire_at : write.next_fire_at;
        await client.query(
          `UPDATE jobs.tb_schedule SET source = 'registry', config = $2::jsonb, timing = $3, enabled = $4, next_fire_at = $5, updated_at = now() WHERE name = $1`,
          [name, config, write.timing, write.config.enabled, before.paused ? null : next],
        );
        result.updated.push(name);
      }
    }
    const removed = await rowsOf(client, `DELETE FROM jobs.tb_schedule WHERE source = 'registry' AND NOT (name = ANY($1::text[])) RETURNING name`, [listed]);
    result.removed.push(...removed.map((row) => String(row.name)).sort());
    if (result.added.length + result.updated.length + result.removed.length > 0) {
      await writeAudit(client, by, 'schedule.sync', null, null, { added: result.added, updated: result.updated, removed: result.removed });
    }
    return result;
  });
}

export async function listSchedules(db: PgDb): Promise<StoredSchedule[]> {
  return (await db.read(`SELECT ${SCHEDULE_COLUMNS} ${FROM} ORDER BY s.name`)).map(toSchedule);
}

export async function getSchedule(db: PgDb, name: string): Promise<StoredSchedule | null> {
  const row = (await db.read(`SELECT ${SCHEDULE_COLUMNS} ${FROM} WHERE s.name = $1`, [name]))[0];
  return row ? toSchedule(row) : null;
}

export function addSchedule(db: PgDb, write: ScheduleWrite, actor: Actor): Promise<StoredSchedule | null> {
  return db.tx(async (client) => {
    const { name } = write.config;
    const by = noNul(actorName(actor));
    const rows = await rowsOf(
      client,
      `INSERT INTO jobs.tb_schedule (name, source, config, timing, enabled, next_fire_at, created_by)
       VALUES ($1, 'operator', $2::jsonb, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING name`,
      [name, jsonNoNul(write.config), write.timing, write.config.enabled, write.next_fire_at, by],
    );
    if (!rows[0]) return null;
    await writeAudit(client, by, 'schedule.add', name, null, { config: write.config });
    return one(client, name);
  });
}

export function removeSchedule(db: PgDb, name: string, actor: Actor): Promise<StoredSchedule | null> {
  return db.tx(async (client) => {
    const before = await one(client, name);
    if (!before || before.source !== 'operator') return null;
    await client.query(`DELETE FROM jobs.tb_schedule WHERE name = $1 AND source = 'operator'`, [name]);
    await writeAudit(client, actorName(actor), 'schedule.remove', name, null, { config: before.config });
    return before;
  });
}

export function setSchedulePaused(
  db: PgDb,
  name: string,
  paused: boolean,
  nextFireAt: string | null,
  actor: Actor,
  reason: string | null,
): Promise<SchedulePauseChange | null> {
  return db.tx(async (client) => {
    const before = await stateOf(client, name, true);
    if (!before) return null;
    const changed = before.paused !== paused;
    if (changed) {
      const why = reasonOf(reason);
      const by = noNul(actorName(actor));
      if (paused) {
        await client.query(
          `UPDATE jobs.tb_schedule SET paused = true, paused_by = $2, paused_at = now(), pause_reason = $3, next_fire_at = NULL, updated_at = now() WHERE name = $1`,
          [name, by, why],
        );
      } else {
        await client.query(
          `UPDATE jobs.tb_schedule SET paused = false, paused_by = NULL, paused_at = NULL, pause_reason = NULL, next_fire_at = $2, updated_at = now() WHERE name = $1`,
          [name, nextFireAt],
        );
      }
      await writeAudit(client, by, paused ? 'schedule.pause' : 'schedule.resume', name, null, { reason: why });
    }
    const schedule = await one(client, name);
    return schedule && { schedule, changed };
  });
}

export async function dueSchedules(db: PgDb, now: Date, limit: number, after?: DuePosition): Promise<StoredSchedule[]> {
  const rows = await db.engineQuery(
    `SELECT ${SCHEDULE_COLUMNS} ${FROM} WHERE s.enabled AND NOT s.paused AND s.next_fire_at <= $1
       AND ($3::timestamptz IS NULL OR (s.next_fire_at, s.name) > ($3::timestamptz, $4::text))
     ORDER BY s.next_fire_at, s.name LIMIT $2`,
    [now.toISOString(), clampLimit(limit), after?.next_fire_at ?? null, after?.name ?? null],
  );
  return rows.map(toSchedule);
}

interface Fired {
  fireId: number;
  jobId: number | null;
  runId: number | null;
  created: boolean;
}

/** A run's task jobs are checked before the transaction opens, as a direct start checks them. */
function checkWork(work: FireWork): void {
  if ('run' in work) work.run.tasks.forEach((task, index) => checkNewJob(task.job, index));
}

/**
 * A fire row and its job or workflow run, inside the caller's transaction; null when the fire key was
 * taken already. A cron fire's row is recorded by the worker, its run started by the schedule on it.
 */
async function fireOne(client: Queryable, name: string, fireAt: string, trigger: 'cron' | 'manual', work: FireWork, actor: Actor): Promise<Fired | null> {
  const by = noNul(trigger === 'cron' ? actor.host : actorName(actor));
  const inserted = await rowsOf(client, INSERT_FIRE, [name, fireAt, fireKeyOf(work), trigger, 'fired', null, 1, by]);
  const fireId = inserted[0]?.id;
  if (typeof fireId !== 'number') return null;
  if ('run' in work) {
    const started = await startWorkflowRunIn(client, work.run, actor, false);
    await client.query(`UPDATE jobs.tb_schedule_fire SET run_id = $2 WHERE id = $1`, [fireId, started.run_id]);
    return { fireId, jobId: null, runId: started.run_id, created: started.created };
  }
  const { job } = work;
  const [result] = await insertChunks(client, [job], [job.identifier]);
  if (!result) return null;
  let jobId = result.id;
  if (jobId === 0) {
    // Held by a job another transaction committed while ours ran: read it now.
    const row = (await rowsOf(client, `SELECT id FROM jobs.tb_job_run WHERE identifier = $1`, [job.identifier]))[0];
    jobId = typeof row?.id === 'number' ? row.id : 0;
  }
  await client.query(`UPDATE jobs.tb_schedule_fire SET job_id = $2 WHERE id = $1`, [fireId, jobId === 0 ? null : jobId]);
  return { fireId, jobId: jobId === 0 ? null : jobId, runId: null, created: result.created };
}

export function fireSchedule(db: PgDb, plan: FirePlan): Promise<FireOutcome> {
  plan.fires.forEach(checkWork);
  return db.tx(async (client) => {
    const outcome: FireOutcome = { applied: false, stopped: false, fired: [], skipped: 0 };
    // The row lock makes a second worker wait, then see the next fire moved on and leave it.
    const state = await stateOf(client, plan.name, true);
    if (!state || !state.enabled || state.paused || state.next_fire_at === null) return outcome;
    if (Date.parse(state.next_fire_at) !== Date.parse(plan.cursor)) return outcome;
    outcome.applied = true;
    const by = noNul(plan.by);
    let lastFireId: number | null = null;
    const skip = async (fireAt: string, fireKey: string, count: number, reason: string) => {
      const rows = await rowsOf(client, INSERT_FIRE, [plan.name, fireAt, fireKey, 'cron', 'skipped', reason, count, by]);
      const id = rows[0]?.id;
      if (typeof id !== 'number') return;
      lastFireId = id;
      outcome.skipped += count;
    };
    for (const s of plan.skipped) await skip(s.fire_at, s.fire_key, s.count, s.reason);
    const control = (await rowsOf(client, `SELECT emergency_stop FROM jobs.tb_control`))[0];
    outcome.stopped = control?.emergency_stop === true;
    const lastPlanned = plan.fires[plan.fires.length - 1];
    if (outcome.stopped && lastPlanned) {
      await skip(lastPlanned.fire_at, fireKeyOf(lastPlanned), plan.fires.length, 'emergency_stop');
    } else {
      const actor = { user: `schedule:${plan.name}`, host: plan.by };
      for (const work of plan.fires) {
        const fired = await fireOne(client, plan.name, work.fire_at, 'cron', work, actor);
        if (!fired) continue;
        lastFireId = fired.fireId;
        outcome.fired.push({ fire_at: new Date(work.fire_at).toISOString(), job_id: fired.jobId, run_id: fired.runId, created: fired.created });
      }
    }
    await client.query(
      `UPDATE jobs.tb_schedule SET next_fire_at = $2, last_fire_id = coalesce($3, last_fire_id), updated_at = now() WHERE name = $1`,
      [plan.name, plan.next, lastFireId],
    );
    return outcome;
  });
}

export function runScheduleNow(db: PgDb, name: string, work: FireWork, actor: Actor): Promise<ScheduleFire | null> {
  checkWork(work);
  return db.tx(async (client) => {
    if (!(await stateOf(client, name, true))) return null;
    const by = noNul(actorName(actor));
    const at = (await rowsOf(client, `SELECT now() AS at`))[0]?.at;
    const fired = await fireOne(client, name, typeof at === 'string' ? at : new Date().toISOString(), 'manual', work, actor);
    if (!fired) return null;
    await client.query(`UPDATE jobs.tb_schedule SET last_fire_id = $2, updated_at = now() WHERE name = $1`, [name, fired.fireId]);
    const made: JsonObject = fired.runId !== null ? { run_id: fired.runId, identifier: fireKeyOf(work) } : { job_id: fired.jobId, identifier: fireKeyOf(work) };
    await writeAudit(client, by, 'schedule.run_now', name, 1, made);
    const row = (await rowsOf(client, `SELECT ${FIRE_COLUMNS} ${FIRE_FROM} WHERE f.id = $1`, [fired.fireId]))[0];
    return row ? toFire(row) : null;
  });
}

export async function pruneScheduleFires(db: PgDb, before: Date, maxRows: number): Promise<number> {
  const rows = await db.query(
    `WITH gone AS (
       DELETE FROM jobs.tb_schedule_fire WHERE id IN (
         SELECT id FROM jobs.tb_schedule_fire WHERE recorded_at < $1 ORDER BY recorded_at LIMIT $2)
       AND id NOT IN (SELECT last_fire_id FROM jobs.tb_schedule WHERE last_fire_id IS NOT NULL)
       RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [before.toISOString(), Math.max(1, Math.trunc(maxRows))],
  );
  return Number(rows[0]?.n ?? 0);
}

export async function listScheduleFires(db: PgDb, name: string, page: PageRequest): Promise<Page<ScheduleFire>> {
  const limit = clampLimit(page.limit);
  const after = decodeCursor(page.after);
  const rows =
    after === null
      ? await db.read(`SELECT ${FIRE_COLUMNS} ${FIRE_FROM} WHERE f.schedule_name = $1 ORDER BY f.id DESC LIMIT $2`, [name, limit + 1])
      : await db.read(`SELECT ${FIRE_COLUMNS} ${FIRE_FROM} WHERE f.schedule_name = $1 AND f.id < $2 ORDER BY f.id DESC LIMIT $3`, [name, after, limit + 1]);
  const items = rows.slice(0, limit).map((row) => toFire(row));
  const last = items[items.length - 1];
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
