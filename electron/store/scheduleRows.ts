import { ScheduleConfig, ScheduleFire, StoredSchedule } from '../../shared/schedule.ts';

/**
 * The columns both dialects read for a schedule with its last fire, and the mapping to the domain. The
 * dialects hand over values as their drivers give them (SQLite: 0/1 and JSON text; PostgreSQL: booleans
 * and parsed jsonb); what differs is evened out here.
 */

export const FIRE_COLUMNS = `f.id, f.schedule_name, f.fire_at, f.fire_key, f.trigger_kind, f.status, f.reason, f.fire_count,
  f.job_id, f.recorded_at, f.recorded_by, j.status AS job_status, f.run_id, r.status AS run_status`;

export const SCHEDULE_COLUMNS = `s.name, s.source, s.config, s.paused, s.paused_by, s.paused_at, s.pause_reason, s.next_fire_at,
  s.created_at, s.created_by, s.updated_at,
  f.id AS f_id, f.schedule_name AS f_schedule_name, f.fire_at AS f_fire_at, f.fire_key AS f_fire_key,
  f.trigger_kind AS f_trigger_kind, f.status AS f_status, f.reason AS f_reason, f.fire_count AS f_fire_count,
  f.job_id AS f_job_id, f.recorded_at AS f_recorded_at, f.recorded_by AS f_recorded_by, j.status AS f_job_status,
  f.run_id AS f_run_id, r.status AS f_run_status`;

type Row = Record<string, unknown>;

function fromJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

export function toFire(row: Row, prefix = ''): ScheduleFire {
  const at = (key: string) => row[`${prefix}${key}`];
  return ScheduleFire.parse({
    id: at('id'),
    schedule: at('schedule_name'),
    fire_at: at('fire_at'),
    trigger: at('trigger_kind'),
    status: at('status'),
    reason: at('reason'),
    count: at('fire_count'),
    fire_key: at('fire_key'),
    job_id: at('job_id') ?? null,
    job_status: at('job_status') ?? null,
    run_id: at('run_id') ?? null,
    run_status: at('run_status') ?? null,
    recorded_at: at('recorded_at'),
    recorded_by: at('recorded_by'),
  });
}

export function toSchedule(row: Row): StoredSchedule {
  return StoredSchedule.parse({
    name: row.name,
    source: row.source,
    config: ScheduleConfig.parse(fromJson(row.config)),
    paused: row.paused === true || row.paused === 1,
    paused_by: row.paused_by ?? null,
    paused_at: row.paused_at ?? null,
    pause_reason: row.pause_reason ?? null,
    next_fire_at: row.next_fire_at ?? null,
    created_at: row.created_at,
    created_by: row.created_by,
    updated_at: row.updated_at,
    last_fire: row.f_id === null || row.f_id === undefined ? null : toFire(row, 'f_'),
  });
}
