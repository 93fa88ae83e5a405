import type { Actor } from '../../../shared/domain.ts';
import type { ScheduleFire, StoredSchedule } from '../../../shared/schedule.ts';
import type { WorkflowRun, WorkflowRunDetail } from '../../../shared/workflow.ts';
import type { DuePosition, SchedulePauseChange, ScheduleStore } from '../scheduleStore.ts';
import type { FireOutcome, FirePlan, FireWork, Page, PageRequest, ScheduleSync, ScheduleWrite } from '../store.ts';
import type { WorkflowStore } from '../workflowStore.ts';
import type {
  NewWorkflowRun,
  RunningRunFilter,
  RunningRuns,
  StuckAfters,
  WorkflowCancelled,
  WorkflowRetried,
  WorkflowRunCount,
  WorkflowRunFilter,
  WorkflowRunStarted,
  WorkflowRunTally,
} from '../workflowTypes.ts';
import type { SqliteDb } from './db.ts';
import { SqliteSchedules } from './schedules.ts';
import type { SqliteSignals } from './signals.ts';
import { SqliteWorkflowStats } from './workflowStats.ts';
import { SqliteWorkflows } from './workflows.ts';

/**
 * The SQLite store's schedules and workflow runs, for the facade (index.ts) to forward to: each call goes
 * to the concern that does the work, and the jobs a fire or a run makes are announced.
 */
export class SqliteOrchestration implements ScheduleStore, WorkflowStore {
  readonly #db: SqliteDb;
  readonly #signals: SqliteSignals;
  readonly #schedules: SqliteSchedules;
  readonly #workflows: SqliteWorkflows;
  readonly #stats: SqliteWorkflowStats;

  constructor(db: SqliteDb, signals: SqliteSignals) {
    this.#db = db;
    this.#signals = signals;
    this.#workflows = new SqliteWorkflows(db);
    this.#stats = new SqliteWorkflowStats(db);
    this.#schedules = new SqliteSchedules(db, this.#workflows);
  }

  // ---- schedules -------------------------------------------------------------------------------

  async syncRegistrySchedules(schedules: ScheduleWrite[], actor: Actor): Promise<ScheduleSync> {
    return this.#db.patient(() => this.#schedules.sync(schedules, actor));
  }

  async listSchedules(): Promise<StoredSchedule[]> {
    return this.#db.patient(() => this.#schedules.list());
  }

  async getSchedule(name: string): Promise<StoredSchedule | null> {
    return this.#db.patient(() => this.#schedules.get(name));
  }

  async addSchedule(schedule: ScheduleWrite, actor: Actor): Promise<StoredSchedule | null> {
    return this.#db.patient(() => this.#schedules.add(schedule, actor));
  }

  async removeSchedule(name: string, actor: Actor): Promise<StoredSchedule | null> {
    return this.#db.patient(() => this.#schedules.remove(name, actor));
  }

  async setSchedulePaused(name: string, paused: boolean, nextFireAt: string | null, actor: Actor, reason: string | null): Promise<SchedulePauseChange | null> {
    return this.#db.patient(() => this.#schedules.setPaused(name, paused, nextFireAt, actor, reason));
  }

  async dueSchedules(now: Date, limit: number, after?: DuePosition): Promise<StoredSchedule[]> {
    return this.#db.patient(() => this.#schedules.due(now, limit, after));
  }

  async fireSchedule(plan: FirePlan): Promise<FireOutcome> {
    const outcome = await this.#db.patient(() => this.#schedules.fire(plan));
    if (outcome.fired.some((f) => f.created)) this.#signals.jobsChanged(true);
    return outcome;
  }

  async runScheduleNow(name: string, work: FireWork, actor: Actor): Promise<ScheduleFire | null> {
    const fire = await this.#db.patient(() => this.#schedules.runNow(name, work, actor));
    if (fire) this.#signals.jobsChanged(true);
    return fire;
  }

  async listScheduleFires(name: string, page: PageRequest): Promise<Page<ScheduleFire>> {
    return this.#db.patient(() => this.#schedules.fires(name, page));
  }

  async pruneScheduleFires(before: Date, maxRows: number): Promise<number> {
    return this.#db.patient(() => this.#schedules.pruneFires(before, maxRows));
  }

  // ---- workflows -------------------------------------------------------------------------------

  async startWorkflowRun(run: NewWorkflowRun, actor: Actor): Promise<WorkflowRunStarted> {
    const started = await this.#db.patient(() => this.#workflows.start(run, actor));
    if (started.created) this.#signals.jobsChanged(true);
    return started;
  }

  async getWorkflowRun(idOrIdentifier: number | string): Promise<WorkflowRunDetail | null> {
    return this.#db.patient(() => this.#workflows.get(idOrIdentifier));
  }

  async listWorkflowRuns(filter: WorkflowRunFilter, page: PageRequest): Promise<Page<WorkflowRun>> {
    return this.#db.patient(() => this.#workflows.list(filter, page));
  }

  async runningWorkflowRuns(limit: number, filter: RunningRunFilter = {}): Promise<WorkflowRun[]> {
    return this.#db.patient(() => this.#workflows.running(limit, filter));
  }

  async stuckWorkflowRuns(now: Date, held: StuckAfters, perWorkflow: number): Promise<WorkflowRun[]> {
    return this.#db.patient(() => this.#workflows.stuck(now, held, perWorkflow));
  }

  async stuckRunsByWorkflow(now: Date, held: StuckAfters): Promise<RunningRuns[]> {
    return this.#db.patient(() => this.#stats.stuck(now, held));
  }

  async workflowRunTally(since: Date, workflow: string | null): Promise<WorkflowRunTally> {
    return this.#db.patient(() => this.#stats.tally(since, workflow));
  }

  async workflowRunCounts(since: Date): Promise<WorkflowRunCount[]> {
    return this.#db.patient(() => this.#stats.counts(since));
  }

  async runningRunsByWorkflow(): Promise<RunningRuns[]> {
    return this.#db.patient(() => this.#stats.running());
  }

  async retryWorkflowRun(runId: number, actor: Actor): Promise<WorkflowRetried | null> {
    const retried = await this.#db.patient(() => this.#workflows.retry(runId, actor));
    if (retried && retried.retried.length > 0) this.#signals.jobsChanged(true);
    return retried;
  }

  async cancelWorkflowRun(runId: number, actor: Actor, reason: string | null): Promise<WorkflowCancelled | null> {
    const cancelled = await this.#db.patient(() => this.#workflows.cancel(runId, actor, reason));
    if (cancelled?.found === 'running') this.#signals.jobsChanged(false);
    return cancelled;
  }
}
