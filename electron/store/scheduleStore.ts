import type { Actor } from '../../shared/domain.ts';
import type { ScheduleConfig, ScheduleFire, StoredSchedule } from '../../shared/schedule.ts';
import type { NewJob, Page, PageRequest } from './store.ts';
import type { NewWorkflowRun } from './workflowTypes.ts';

/** Where a page of due schedules ended: its last schedule's next fire and name. */
export interface DuePosition {
  next_fire_at: string;
  name: string;
}

/** The Store's schedules and their fires (schedules.ts of each dialect). */
export interface ScheduleStore {
  /**
   * Makes the registry's schedules the store's: adds those missing, rewrites those that changed (a changed
   * timing takes the given next fire, an unchanged one keeps its own), and removes registry schedules the
   * registry no longer lists. An operator's schedule of the same name becomes the registry's; an operator's
   * pause stays. Audited (`schedule.sync`) when anything changed.
   */
  syncRegistrySchedules(schedules: ScheduleWrite[], actor: Actor): Promise<ScheduleSync>;
  /** Every schedule by name, each with its last fire (one read of the schedule table, never the history). */
  listSchedules(): Promise<StoredSchedule[]>;
  getSchedule(name: string): Promise<StoredSchedule | null>;
  /** Adds an operator's schedule and audits it (`schedule.add`); null when a schedule of that name exists. */
  addSchedule(schedule: ScheduleWrite, actor: Actor): Promise<StoredSchedule | null>;
  /** Removes an operator's schedule (never a registry one) and audits it; the schedule as it was, null when none. */
  removeSchedule(name: string, actor: Actor): Promise<StoredSchedule | null>;
  /**
   * Pauses (next fire cleared) or resumes (next fire `nextFireAt`, worked out from now: fires that passed
   * while paused are not missed ones) a schedule, audited (`schedule.pause` / `schedule.resume`). Null when
   * there is no such schedule; one already as asked is returned as is, unaudited, and `changed` false.
   */
  setSchedulePaused(name: string, paused: boolean, nextFireAt: string | null, actor: Actor, reason: string | null): Promise<SchedulePauseChange | null>;
  /**
   * Enabled, unpaused schedules whose next fire is at or before `now`, soonest first (then by name), up to
   * `limit`; after `after` (the last of the previous page) when given, so a caller can read past schedules
   * it leaves due.
   */
  dueSchedules(now: Date, limit: number, after?: DuePosition): Promise<StoredSchedule[]>;
  /**
   * Handles a due schedule's fires in one transaction, only while its next fire is still `plan.cursor` and
   * it is active (another worker may have handled it first: then nothing happens, applied = false). Each
   * fire is a row keyed by its job's identifier, unique, so a fire is one job across every worker; while
   * the emergency stop is engaged the fires are recorded skipped (`emergency_stop`) and no job is made.
   */
  fireSchedule(plan: FirePlan): Promise<FireOutcome>;
  /**
   * Enqueues one job of the schedule, or starts one run of its workflow, now (paused or not), recorded as
   * a manual fire and audited (`schedule.run_now`).
   */
  runScheduleNow(name: string, work: FireWork, actor: Actor): Promise<ScheduleFire | null>;
  /** One schedule's fires, newest first, keyset-paginated by id. */
  listScheduleFires(name: string, page: PageRequest): Promise<Page<ScheduleFire>>;
  /** Removes up to `maxRows` fires recorded before `before`, oldest first, never a schedule's last fire; answers how many went. */
  pruneScheduleFires(before: Date, maxRows: number): Promise<number>;
}

/** A schedule to write: as configured, what decides its fires, and its next fire worked out by the caller. */
export interface ScheduleWrite {
  config: ScheduleConfig;
  /** Cron, zone and enabled in one text: when it changes, `next_fire_at` replaces the stored one. */
  timing: string;
  next_fire_at: string | null;
}

/**
 * A pause or resume as the store decided it, under its lock: of two callers asking at once, exactly one is
 * told it changed the schedule, the one whose change was audited.
 */
export interface SchedulePauseChange {
  schedule: StoredSchedule;
  changed: boolean;
}

export interface ScheduleSync {
  added: string[];
  updated: string[];
  removed: string[];
}

/** What a scheduler tick decided for one due schedule (shared/scheduleMath.ts planDue). */
export interface FirePlan {
  name: string;
  /** The next fire the plan started from: the plan applies only while the store still says so. */
  cursor: string;
  /** The schedule's next fire after this tick. */
  next: string | null;
  /** Each fire to make, oldest first; its job's or run's identifier is the fire key. */
  fires: Array<{ fire_at: string } & FireWork>;
  /** Fires recorded skipped, each row standing for `count` of them. */
  skipped: Array<{ fire_at: string; fire_key: string; count: number; reason: string }>;
  /** Who handled it (a worker id). */
  by: string;
}

/**
 * What one fire makes: a service schedule's job, or a workflow schedule's run, started inside the fire's
 * transaction (so the emergency stop read there, and the fire's unique key, hold for the run too).
 */
export type FireWork = { job: NewJob & { identifier: string } } | { run: NewWorkflowRun };

/** A fire's key: its job's or its run's identifier. */
export function fireKeyOf(work: FireWork): string {
  return 'job' in work ? work.job.identifier : work.run.identifier;
}

export interface FireOutcome {
  applied: boolean;
  /** The emergency stop was engaged: the fires were recorded skipped. */
  stopped: boolean;
  /** Each fire made: its job (a service schedule) or its workflow run (a workflow schedule). */
  fired: Array<{ fire_at: string; job_id: number | null; run_id: number | null; created: boolean }>;
  /** Fires recorded skipped (counting each row's count). */
  skipped: number;
}
