import type { JsonObject } from '../../shared/domain.ts';
import { textProblem } from '../../shared/inputText.ts';
import type { PassOutput, WorkflowRunStatus } from '../../shared/workflow.ts';
import type { NewJob } from './store.ts';

/** A run of a workflow as the engine hands it to the store: every task with the job it becomes. */
export interface NewWorkflowRun {
  identifier: string;
  workflow: string;
  payload: JsonObject;
  /** The workflow's stuck_after, kept with the run: whoever reads it later judges it by its own. */
  stuckAfterMs: number;
  tasks: NewWorkflowTask[];
}

export interface NewWorkflowTask {
  name: string;
  depends_on: string[];
  pass_output: PassOutput | null;
  /** Its identifier, queue, service and payload; the store decides whether it starts pending or waiting. */
  job: NewJob & { identifier: string };
}

export interface WorkflowRunStarted {
  run_id: number;
  identifier: string;
  /** False when a run with this identifier existed: starting a run is idempotent. */
  created: boolean;
}

/** Which running runs to read: all, or only those without a stuck_after of their own. */
export interface RunningRunFilter {
  withoutOwnStuckAfter?: boolean;
}

/**
 * What a running run is held to when it has no stuck_after of its own (started before runs kept theirs):
 * its workflow's in the registry at hand, else the default.
 */
export interface StuckAfters {
  byWorkflow: ReadonlyMap<string, number>;
  defaultMs: number;
}

export interface WorkflowRunFilter {
  workflow?: string;
  status?: WorkflowRunStatus;
}

export interface WorkflowRetried {
  /** The failed and cancelled tasks sent back to pending. */
  retried: number[];
  /** The run's status as the retry found it under its lock: with nothing retried, what the run is instead. */
  found: WorkflowRunStatus;
}

export interface WorkflowCancelled {
  /** Tasks that had not started, now cancelled. */
  cancelled: number;
  /** Running tasks asked to stop (their workers stop them). */
  stopping: number;
  /**
   * The run's status as the cancel found it under its lock. Only a running run is cancelled: one that has
   * finished (completed, failed, or cancelled already) is left as it is, with nothing written or audited.
   */
  found: WorkflowRunStatus;
}

/**
 * How a run stands, from its tasks' states: completed when every task completed; cancelled once an
 * operator cancelled it (until a retry reopens it), even while a running task is still stopping; running
 * while any task is pending, running or waiting; otherwise failed (a task failed or was cancelled, and
 * what depends on it is blocked). jobs.opsdeck_workflow_advance (PostgreSQL) decides the same way.
 */
export function runStatusOf(counts: ReadonlyMap<string, number>, wasCancelled: boolean): WorkflowRunStatus {
  let total = 0;
  for (const n of counts.values()) total += n;
  if (total > 0 && (counts.get('completed') ?? 0) === total) return 'completed';
  if (wasCancelled) return 'cancelled';
  if ((counts.get('pending') ?? 0) + (counts.get('running') ?? 0) + (counts.get('waiting') ?? 0) > 0) return 'running';
  return 'failed';
}

/** What a dependent receives of one upstream: its output tail as text, or read as JSON (null when it is not JSON). */
export function passedOutput(passOutput: string | null, tail: string | null): unknown {
  if (tail === null) return null;
  if (passOutput !== 'json') return tail;
  // What PostgreSQL's jsonb refuses makes the whole output null, as it does there: a number no reader can
  // hold (1e400 parses as Infinity), and a NUL or a lone surrogate spelt as an escape in a string.
  let refused = false;
  try {
    const value: unknown = JSON.parse(tail, (key, item: unknown) => {
      if (typeof item === 'number' && !Number.isFinite(item)) refused = true;
      if ((typeof item === 'string' && textProblem(item) !== null) || textProblem(key) !== null) refused = true;
      return item;
    });
    return refused ? null : value;
  } catch {
    return null;
  }
}

/** How many runs of one workflow are running, or stuck. */
export interface RunningRuns {
  workflow_name: string;
  n: number;
}

/** How many runs of one workflow are in one status. */
export interface WorkflowRunCount {
  workflow_name: string;
  status: string;
  n: number;
}

/**
 * The workflow runs started since a time, per workflow: how many are in each status now, and how long the
 * completed ones took from start to finish, in the duration buckets of shared/latencyBuckets.ts.
 */
export interface WorkflowRunTally {
  counts: WorkflowRunCount[];
  durations: Array<{ workflow_name: string; bucket: number; n: number }>;
}
