import type { Actor, JsonObject } from '../../../shared/domain.ts';
import type { ScheduleFire, StoredSchedule } from '../../../shared/schedule.ts';
import type { DuePosition } from '../scheduleStore.ts';
import { actorName } from '../actor.ts';
import { clampLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import { FIRE_COLUMNS, SCHEDULE_COLUMNS, toFire, toSchedule } from '../scheduleRows.ts';
import { checkNewJob } from '../newJobs.ts';
import type { FireOutcome, FirePlan, FireWork, Page, PageRequest, SchedulePauseChange, ScheduleSync, ScheduleWrite } from '../store.ts';
import { fireKeyOf } from '../store.ts';
import { now, reasonOrNull } from './db.ts';
import type { Connection, SqliteDb } from './db.ts';
import { enqueueBatch, prepareEnqueue } from './enqueue.ts';
import { Tally } from './tally.ts';
import type { SqliteWorkflows } from './workflows.ts';

/**
 * Schedules and their fires (migrations 0010, 0013). Every write is one BEGIN IMMEDIATE transaction; a
 * workflow schedule's fire starts its run inside it.
 */

const FROM = `FROM tb_schedule s
  LEFT JOIN tb_schedule_fire f ON f.id = s.last_fire_id
  LEFT JOIN tb_job_run j ON j.id = f.job_id
  LEFT JOIN tb_workflow_run r ON r.id = f.run_id`;

const FIRE_FROM = `FROM tb_schedule_fire f LEFT JOIN tb_job_run j ON j.id = f.job_id LEFT JOIN tb_workflow_run r ON r.id = f.run_id`;

type Row = Record<string, unknown>;

function prepare(db: Connection) {
  return {
    all: db.prepare<[], Row>(`SELECT ${SCHEDULE_COLUMNS} ${FROM} ORDER BY s.name`),
    one: db.prepare<[string], Row>(`SELECT ${SCHEDULE_COLUMNS} ${FROM} WHERE s.name = ?`),
    due: db.prepare<[{ at: string; limit: number; after_at: string | null; after_name: string | null }], Row>(
      `SELECT ${SCHEDULE_COLUMNS} ${FROM}
       WHERE s.enabled = 1 AND s.paused = 0 AND s.next_fire_at <= @at
         AND (@after_at IS NULL OR (s.next_fire_at, s.name) > (@after_at, @after_name))
       ORDER BY s.next_fire_at, s.name LIMIT @limit`,
    ),
    state: db.prepare<[string], { source: string; timing: string; config: string; enabled: number; paused: number; next_fire_at: string | null }>(
      `SELECT source, timing, config, enabled, paused, next_fire_at FROM tb_schedule WHERE name = ?`,
    ),
    insert: db.prepare<[string, string, string, string, number, string | null, string, string, string]>(
      `INSERT INTO tb_schedule (name, source, config, timing, enabled, next_fire_at, created_at, created_by, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    rewrite: db.prepare<[string, string, number, string | null, string, string]>(
      `UPDATE tb_schedule SET source = 'registry', config = ?, timing = ?, enabled = ?, next_fire_at = ?, updated_at = ? WHERE name = ?`,
    ),
    registryNames: db.prepare<[], { name: string }>(`SELECT name FROM tb_schedule WHERE source = 'registry'`),
    remove: db.prepare<[string]>(`DELETE FROM tb_schedule WHERE name = ?`),
    pause: db.prepare<[string, string, string | null, string, string]>(
      `UPDATE tb_schedule SET paused = 1, paused_by = ?, paused_at = ?, pause_reason = ?, next_fire_at = NULL, updated_at = ? WHERE name = ?`,
    ),
    resume: db.prepare<[string | null, string, string]>(
      `UPDATE tb_schedule SET paused = 0, paused_by = NULL, paused_at = NULL, pause_reason = NULL, next_fire_at = ?, updated_at = ? WHERE name = ?`,
    ),
    advance: db.prepare<[string | null, number | null, string, string]>(
      `UPDATE tb_schedule SET next_fire_at = ?, last_fire_id = coalesce(?, last_fire_id), updated_at = ? WHERE name = ?`,
    ),
    lastFire: db.prepare<[number, string, string]>(`UPDATE tb_schedule SET last_fire_id = ?, updated_at = ? WHERE name = ?`),
    insertFire: db.prepare<[string, string, string, string, string, string | null, number, number | null, string, string]>(
      `INSERT INTO tb_schedule_fire (schedule_name, fire_at, fire_key, trigger_kind, status, reason, fire_count, job_id, recorded_at, recorded_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fire_key) DO NOTHING`,
    ),
    pruneFires: db.prepare<[string, number]>(
      `DELETE FROM tb_schedule_fire WHERE id IN (
         SELECT id FROM tb_schedule_fire WHERE recorded_at < ? ORDER BY recorded_at LIMIT ?)
       AND id NOT IN (SELECT last_fire_id FROM tb_schedule WHERE last_fire_id IS NOT NULL)`,
    ),
    setFireJob: db.prepare<[number, number]>(`UPDATE tb_schedule_fire SET job_id = ? WHERE id = ?`),
    setFireRun: db.prepare<[number, number]>(`UPDATE tb_schedule_fire SET run_id = ? WHERE id = ?`),
    fire: db.prepare<[number], Row>(`SELECT ${FIRE_COLUMNS} ${FIRE_FROM} WHERE f.id = ?`),
    firesFirst: db.prepare<[string, number], Row>(
      `SELECT ${FIRE_COLUMNS} ${FIRE_FROM}
       WHERE f.schedule_name = ? ORDER BY f.id DESC LIMIT ?`,
    ),
    firesAfter: db.prepare<[string, number, number], Row>(
      `SELECT ${FIRE_COLUMNS} ${FIRE_FROM}
       WHERE f.schedule_name = ? AND f.id < ? ORDER BY f.id DESC LIMIT ?`,
    ),
  };
}

/** ISO text as the tables hold it (UTC, milliseconds), whatever offset a caller wrote. */
function iso(text: string | null): string | null {
  return text === null ? null : new Date(text).toISOString();
}

/** A run's task jobs are checked before the transaction opens, as a direct start checks them. */
function checkWork(work: FireWork): void {
  if ('run' in work) work.run.tasks.forEach((task, index) => checkNewJob(task.job, index));
}

export class SqliteSchedules {
  readonly #db: SqliteDb;
  readonly #s: ReturnType<typeof prepare>;
  readonly #enqueue: ReturnType<typeof prepareEnqueue>;
  readonly #workflows: SqliteWorkflows;

  constructor(db: SqliteDb, workflows: SqliteWorkflows) {
    this.#db = db;
    this.#s = prepare(db.connection);
    this.#enqueue = prepareEnqueue(db.connection);
    this.#workflows = workflows;
  }

  sync(schedules: ScheduleWrite[], actor: Actor): ScheduleSync {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const by = actorName(actor);
        const result: ScheduleSync = { added: [], updated: [], removed: [] };
        const listed = new Set<string>();
        for (const write of schedules) {
          const { name } = write.config;
          listed.add(name);
          const config = JSON.stringify(write.config);
          const before = this.#s.state.get(name);
          if (!before) {
            this.#s.insert.run(name, 'registry', config, write.timing, write.config.enabled ? 1 : 0, iso(write.next_fire_at), at, by, at);
            result.added.push(name);
          } else if (before.source !== 'registry' || before.config !== config || before.timing !== write.timing) {
            const next = before.timing === write.timing && before.source === 'registry' ? before.next_fire_at : iso(write.next_fire_at);
            this.#s.rewrite.run(config, write.timing, write.config.enabled ? 1 : 0, before.paused ? null : next, at, name);
            result.updated.push(name);
          }
        }
        for (const { name } of this.#s.registryNames.all()) {
          if (listed.has(name)) continue;
          this.#s.remove.run(name);
          result.removed.push(name);
        }
        if (result.added.length + result.updated.length + result.removed.length > 0) {
          this.#db.audit(at, actor, 'schedule.sync', null, null, { added: result.added, updated: result.updated, removed: result.removed });
        }
        return result;
      }),
    );
  }

  list(): StoredSchedule[] {
    return this.#db.guard(() => this.#s.all.all().map(toSchedule));
  }

  get(name: string): StoredSchedule | null {
    return this.#db.guard(() => this.#one(name));
  }

  add(write: ScheduleWrite, actor: Actor): StoredSchedule | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const { name } = write.config;
        const config = JSON.stringify(write.config);
        const inserted = this.#s.insert.run(name, 'operator', config, write.timing, write.config.enabled ? 1 : 0, iso(write.next_fire_at), at, actorName(actor), at);
        if (inserted.changes === 0) return null;
        this.#db.audit(at, actor, 'schedule.add', name, null, { config: write.config });
        return this.#one(name);
      }),
    );
  }

  remove(name: string, actor: Actor): StoredSchedule | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const before = this.#one(name);
        if (!before || before.source !== 'operator') return null;
        this.#s.remove.run(name);
        this.#db.audit(now(), actor, 'schedule.remove', name, null, { config: before.config });
        return before;
      }),
    );
  }

  setPaused(name: string, paused: boolean, nextFireAt: string | null, actor: Actor, reason: string | null): SchedulePauseChange | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const before = this.#s.state.get(name);
        if (!before) return null;
        const changed = (before.paused === 1) !== paused;
        if (changed) {
          const at = now();
          const why = reasonOrNull(reason);
          if (paused) this.#s.pause.run(actorName(actor), at, why, at, name);
          else this.#s.resume.run(iso(nextFireAt), at, name);
          this.#db.audit(at, actor, paused ? 'schedule.pause' : 'schedule.resume', name, null, { reason: why });
        }
        const schedule = this.#one(name);
        return schedule && { schedule, changed };
      }),
    );
  }

  due(at: Date, limit: number, after?: DuePosition): StoredSchedule[] {
    const params = { at: at.toISOString(), limit: clampLimit(limit), after_at: after?.next_fire_at ?? null, after_name: after?.name ?? null };
    return this.#db.guard(() => this.#s.due.all(params).map(toSchedule));
  }

  fire(plan: FirePlan): FireOutcome {
    plan.fires.forEach(checkWork);
    return this.#db.guard(() =>
      this.#db.write(() => {
        const outcome: FireOutcome = { applied: false, stopped: false, fired: [], skipped: 0 };
        const state = this.#s.state.get(plan.name);
        if (!state || state.enabled !== 1 || state.paused === 1 || state.next_fire_at !== iso(plan.cursor)) return outcome;
        outcome.applied = true;
        const at = now();
        let lastFireId: number | null = null;
        const skip = (fireAt: string, fireKey: string, count: number, reason: string) => {
          const { changes, lastInsertRowid } = this.#s.insertFire.run(plan.name, iso(fireAt) ?? fireAt, fireKey, 'cron', 'skipped', reason, count, null, at, plan.by);
          if (changes > 0) {
            lastFireId = Number(lastInsertRowid);
            outcome.skipped += count;
          }
        };
        for (const s of plan.skipped) skip(s.fire_at, s.fire_key, s.count, s.reason);
        const lastPlanned = plan.fires[plan.fires.length - 1];
        outcome.stopped = this.#db.dispatchHeld().stopped;
        if (outcome.stopped && lastPlanned) {
          skip(lastPlanned.fire_at, fireKeyOf(lastPlanned), plan.fires.length, 'emergency_stop');
        } else {
          const actor = { user: `schedule:${plan.name}`, host: plan.by };
          for (const work of plan.fires) {
            const fired = this.#fireOne(plan.name, work.fire_at, 'cron', work, at, actor);
            if (!fired) continue;
            lastFireId = fired.fireId;
            outcome.fired.push({ fire_at: iso(work.fire_at) ?? work.fire_at, job_id: fired.jobId, run_id: fired.runId, created: fired.created });
          }
        }
        this.#s.advance.run(iso(plan.next), lastFireId, at, plan.name);
        return outcome;
      }),
    );
  }

  runNow(name: string, work: FireWork, actor: Actor): ScheduleFire | null {
    checkWork(work);
    return this.#db.guard(() =>
      this.#db.write(() => {
        if (!this.#s.state.get(name)) return null;
        const at = now();
        const fired = this.#fireOne(name, at, 'manual', work, at, actor);
        if (!fired) return null;
        this.#s.lastFire.run(fired.fireId, at, name);
        const made: JsonObject = fired.runId !== null ? { run_id: fired.runId, identifier: fireKeyOf(work) } : { job_id: fired.jobId, identifier: fireKeyOf(work) };
        this.#db.audit(at, actor, 'schedule.run_now', name, 1, made);
        const row = this.#s.fire.get(fired.fireId);
        return row ? toFire(row) : null;
      }),
    );
  }

  fires(name: string, page: PageRequest): Page<ScheduleFire> {
    return this.#db.guard(() => {
      const limit = clampLimit(page.limit);
      const after = decodeCursor(page.after);
      const rows = after === null ? this.#s.firesFirst.all(name, limit + 1) : this.#s.firesAfter.all(name, after, limit + 1);
      const items = rows.slice(0, limit).map((row) => toFire(row));
      const last = items[items.length - 1];
      return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    });
  }

  pruneFires(before: Date, maxRows: number): number {
    return this.#db.guard(() => this.#db.write(() => this.#s.pruneFires.run(before.toISOString(), Math.max(1, Math.trunc(maxRows))).changes));
  }

  /**
   * A fire row and its job or workflow run, inside the caller's transaction; null when the fire key was
   * taken already. A cron fire's row is recorded by the worker, its run started by the schedule on it.
   */
  #fireOne(name: string, fireAt: string, trigger: 'cron' | 'manual', work: FireWork, at: string, actor: Actor) {
    const by = trigger === 'cron' ? actor.host : actorName(actor);
    const inserted = this.#s.insertFire.run(name, iso(fireAt) ?? fireAt, fireKeyOf(work), trigger, 'fired', null, 1, null, at, by);
    if (inserted.changes === 0) return null;
    const fireId = Number(inserted.lastInsertRowid);
    if ('run' in work) {
      const started = this.#workflows.startIn(work.run, actor, at, false);
      this.#s.setFireRun.run(started.run_id, fireId);
      return { fireId, jobId: null, runId: started.run_id, created: started.created };
    }
    const { job } = work;
    const [result] = enqueueBatch(this.#enqueue, [job], at);
    if (!result) return null;
    if (result.created) {
      const tally = new Tally(Date.parse(at));
      tally.count(job, 'pending', 1);
      this.#db.record(tally);
    }
    this.#s.setFireJob.run(result.id, fireId);
    return { fireId, jobId: result.id, runId: null, created: result.created };
  }

  #one(name: string): StoredSchedule | null {
    const row = this.#s.one.get(name);
    return row ? toSchedule(row) : null;
  }
}
