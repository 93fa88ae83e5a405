import type { WorkflowRun, WorkflowTask } from './workflow.ts';
import type { WorkflowTaskView } from './views.ts';

/** A blocked task's reason as the store writes it (the workflows' advance), kept when the task is cancelled. */
const BLOCKED_BY = /^upstream task '(.+)' (failed|cancelled|is blocked)$/;

/**
 * Why a cancelled task was, from what a run's detail holds (no audit read): only an operator's cancel of
 * the task's own job, or of its run, cancels a task. In a run not cancelled, it was the job's own. In a
 * cancelled run, a task whose dependents it had blocked was cancelled before the run was, on its own; a
 * task that had been blocked (its reason kept, naming an upstream failed or cancelled still) never ran for
 * that; the rest went with the run. A task cancelled on its own with no dependent reads as gone with the run.
 */
function cancelledWhy(task: WorkflowTask, run: Pick<WorkflowRun, 'status'>, tasks: readonly WorkflowTask[]): string {
  const own = 'cancelled by an operator: its job was cancelled on its own';
  if (run.status !== 'cancelled') return own;
  if (tasks.some((t) => t.error_message === `upstream task '${task.name}' cancelled`)) return own;
  const blocked = BLOCKED_BY.exec(task.error_message ?? '');
  const upstream = blocked ? tasks.find((t) => t.name === blocked[1] && task.depends_on.includes(t.name)) : undefined;
  if (blocked && upstream && (upstream.status === 'failed' || upstream.status === 'cancelled')) {
    return `cancelled with the run, never run: ${blocked[0]}`;
  }
  return 'cancelled because an operator cancelled the run';
}

/**
 * Why a waiting task waits: the upstream tasks it needs that have not completed, each with its state, whose
 * own rows say why they do not move. A stuck run's tasks behind the one holding it said nothing.
 */
function upstreamWhy(task: WorkflowTask, tasks: readonly WorkflowTask[]): string {
  const open = tasks.filter((t) => task.depends_on.includes(t.name) && t.status !== 'completed');
  if (open.length === 0) return '';
  return `waits for upstream task${open.length === 1 ? '' : 's'} ${open.map((t) => `${t.name} (${t.status})`).join(', ')}`;
}

/**
 * A task's why, as the CLI's `workflow show` and the console's run page both write it: a failed task's
 * error, why a blocked one waits, why a cancelled one was, what a waiting one waits for, why a pending one
 * is not starting, and of a running one, that its worker is lost (the API's `waiting`).
 */
export function taskWhy(task: WorkflowTaskView, run: Pick<WorkflowRun, 'status'>, tasks: readonly WorkflowTask[]): string {
  if (task.status === 'failed' || task.status === 'blocked') return task.error_message ?? '';
  if (task.status === 'cancelled') return cancelledWhy(task, run, tasks);
  if (task.status === 'waiting') return upstreamWhy(task, tasks);
  return task.waiting.join('; ');
}
