import type { Actor } from '../../shared/domain.ts';
import type { WorkflowRun, WorkflowRunDetail } from '../../shared/workflow.ts';
import type { Page, PageRequest } from './store.ts';
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
} from './workflowTypes.ts';

/**
 * The Store's workflow runs (workflows.ts and workflowAdvance.ts of each dialect). A task's run moves on
 * in the transaction that finished, failed, cancelled or retried the task: released dependents, blocked
 * ones and the run's status never lag behind the task.
 */
export interface WorkflowStore {
  /**
   * Starts a run: its row, one job per task (pending without dependencies, else waiting) and the
   * dependencies, in one transaction, audited (`workflow.run`). Idempotent by the run's identifier.
   */
  startWorkflowRun(run: NewWorkflowRun, actor: Actor): Promise<WorkflowRunStarted>;
  getWorkflowRun(idOrIdentifier: number | string): Promise<WorkflowRunDetail | null>;
  /** Newest first, keyset-paginated by id. */
  listWorkflowRuns(filter: WorkflowRunFilter, page: PageRequest): Promise<Page<WorkflowRun>>;
  /** Runs still running, least recently progressed first, as the filter narrows them. */
  runningWorkflowRuns(limit: number, filter?: RunningRunFilter): Promise<WorkflowRun[]>;
  /**
   * The running runs with no task progress for their stuck_after at `now` (their own, else `held`'s),
   * longest stuck first, at most `perWorkflow` of each workflow: one workflow's many never hide another's.
   * Read through the index of running runs alone.
   */
  stuckWorkflowRuns(now: Date, held: StuckAfters, perWorkflow: number): Promise<WorkflowRun[]>;
  /** How many runs of each workflow are stuck at `now`, as `stuckWorkflowRuns` finds them, exactly. */
  stuckRunsByWorkflow(now: Date, held: StuckAfters): Promise<RunningRuns[]>;
  /**
   * Runs started since `since` (of one workflow, or all), per workflow: how many in each status, and the
   * completed ones' durations in buckets. Read through an index on the start, so it grows with the window.
   */
  workflowRunTally(since: Date, workflow: string | null): Promise<WorkflowRunTally>;
  /** The tally's counts alone, of every workflow, without the durations. */
  workflowRunCounts(since: Date): Promise<WorkflowRunCount[]>;
  /**
   * The runs running now, per workflow: read through the index of running runs alone, so it grows with
   * the runs under way, never with those kept. For the metrics every scrape reads.
   */
  runningRunsByWorkflow(): Promise<RunningRuns[]>;
  /**
   * The run's failed and cancelled tasks back to pending; the tasks they blocked wait again. Audited when
   * a task went back, and only then: with none to retry it changes nothing and says what status it found.
   */
  retryWorkflowRun(runId: number, actor: Actor): Promise<WorkflowRetried | null>;
  /**
   * Cancels the tasks of a running run that have not started and asks running ones to stop. Audited. A
   * run that has finished is left as it is, unaudited (`found` says what it is): decided under the run's
   * lock, so of two operators at once one cancels it and the other finds it cancelled.
   */
  cancelWorkflowRun(runId: number, actor: Actor, reason: string | null): Promise<WorkflowCancelled | null>;
}
