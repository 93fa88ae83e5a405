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
import type { PgDb } from './db.ts';
import * as schedules from './schedules.ts';
import type { PgSignals } from './signals.ts';
import { runningRunsByWorkflow, stuckRunsByWorkflow, workflowRunCounts, workflowRunTally } from './workflowStats.ts';
import * as workflows from './workflows.ts';

/**
 * The PostgreSQL store's schedules and workflow runs, for the facade (index.ts) to forward to: each call
 * goes to the concern that does the work, and the jobs a fire or a run makes are announced.
 */
export class PostgresOrchestration implements ScheduleStore, WorkflowStore {
  /** The facade's pool, refused once the store is closed. */
  readonly #open: () => PgDb;
  readonly #signals: PgSignals;

  constructor(open: () => PgDb, signals: PgSignals) {
    this.#open = open;
    this.#signals = signals;
  }

  // ---- schedules -------------------------------------------------------------------------------

  async syncRegistrySchedules(list: ScheduleWrite[], actor: Actor): Promise<ScheduleSync> {
    return schedules.syncSchedules(this.#open(), list, actor);
  }

  async listSchedules(): Promise<StoredSchedule[]> {
    return schedules.listSchedules(this.#open());
  }

  async getSchedule(name: string): Promise<StoredSchedule | null> {
    return schedules.getSchedule(this.#open(), name);
  }

  async addSchedule(schedule: ScheduleWrite, actor: Actor): Promise<StoredSchedule | null> {
    return schedules.addSchedule(this.#open(), schedule, actor);
  }

  async removeSchedule(name: string, actor: Actor): Promise<StoredSchedule | null> {
    return schedules.removeSchedule(this.#open(), name, actor);
  }

  async setSchedulePaused(name: string, paused: boolean, nextFireAt: string | null, actor: Actor, reason: string | null): Promise<SchedulePauseChange | null> {
    return schedules.setSchedulePaused(this.#open(), name, paused, nextFireAt, actor, reason);
  }

  async dueSchedules(now: Date, limit: number, after?: DuePosition): Promise<StoredSchedule[]> {
    return schedules.dueSchedules(this.#open(), now, limit, after);
  }

  async fireSchedule(plan: FirePlan): Promise<FireOutcome> {
    const outcome = await schedules.fireSchedule(this.#open(), plan);
    if (outcome.fired.some((f) => f.created)) this.#signals.jobsChanged(true);
    return outcome;
  }

  async runScheduleNow(name: string, work: FireWork, actor: Actor): Promise<ScheduleFire | null> {
    const fire = await schedules.runScheduleNow(this.#open(), name, work, actor);
    if (fire) this.#signals.jobsChanged(true);
    return fire;
  }

  async listScheduleFires(name: string, page: PageRequest): Promise<Page<ScheduleFire>> {
    return schedules.listScheduleFires(this.#open(), name, page);
  }

  async pruneScheduleFires(before: Date, maxRows: number): Promise<number> {
    return schedules.pruneScheduleFires(this.#open(), before, maxRows);
  }

  // ---- workflows -------------------------------------------------------------------------------

  async startWorkflowRun(run: NewWorkflowRun, actor: Actor): Promise<WorkflowRunStarted> {
    const started = await workflows.startWorkflowRun(this.#open(), run, actor);
    if (started.created) this.#signals.jobsChanged(true);
    return started;
  }

  async getWorkflowRun(idOrIdentifier: number | string): Promise<WorkflowRunDetail | null> {
    return workflows.getWorkflowRun(this.#open(), idOrIdentifier);
  }

  async listWorkflowRuns(filter: WorkflowRunFilter, page: PageRequest): Promise<Page<WorkflowRun>> {
    return workflows.listWorkflowRuns(this.#open(), filter, page);
  }

  async runningWorkflowRuns(limit: number, filter: RunningRunFilter = {}): Promise<WorkflowRun[]> {
    return workflows.runningWorkflowRuns(this.#open(), limit, filter);
  }

  async stuckWorkflowRuns(now: Date, held: StuckAfters, perWorkflow: number): Promise<WorkflowRun[]> {
    return workflows.stuckWorkflowRuns(this.#open(), now, held, perWorkflow);
  }

  async stuckRunsByWorkflow(now: Date, held: StuckAfters): Promise<RunningRuns[]> {
    return stuckRunsByWorkflow(this.#open(), now, held);
  }

  async workflowRunTally(since: Date, workflow: string | null): Promise<WorkflowRunTally> {
    return workflowRunTally(this.#open(), since, workflow);
  }

  async workflowRunCounts(since: Date): Promise<WorkflowRunCount[]> {
    return workflowRunCounts(this.#open(), since);
  }

  async runningRunsByWorkflow(): Promise<RunningRuns[]> {
    return runningRunsByWorkflow(this.#open());
  }

  async retryWorkflowRun(runId: number, actor: Actor): Promise<WorkflowRetried | null> {
    const retried = await workflows.retryWorkflowRun(this.#open(), runId, actor);
    if (retried && retried.retried.length > 0) this.#signals.jobsChanged(true);
    return retried;
  }

  async cancelWorkflowRun(runId: number, actor: Actor, reason: string | null): Promise<WorkflowCancelled | null> {
    const cancelled = await workflows.cancelWorkflowRun(this.#open(), runId, actor, reason);
    if (cancelled?.found === 'running') this.#signals.jobsChanged(false);
    return cancelled;
  }
}
