import type { WorkflowTask } from '../../../../shared/workflow.ts';
import { durationText } from '../../../../shared/durationText.ts';

/** What the Workflows page says of a run and its tasks, apart from how it draws them. */

/** "3 completed · 1 failed · 2 blocked": a run's tasks per state, in the order a run moves through them. */
const ORDER = ['running', 'pending', 'waiting', 'completed', 'failed', 'blocked', 'cancelled'];

export function taskSummary(tasks: Record<string, number>): string {
  const parts = Object.entries(tasks)
    .filter(([, n]) => n > 0)
    .sort((a, b) => ORDER.indexOf(a[0]) - ORDER.indexOf(b[0]));
  return parts.length === 0 ? 'no tasks' : parts.map(([state, n]) => `${n} ${state}`).join(' · ');
}

/** How long a task ran (or has run so far), in words short enough for a graph node. */
export function taskTiming(task: Pick<WorkflowTask, 'status' | 'started_at' | 'completed_at'>, nowMs: number): string {
  if (task.status === 'waiting') return 'waiting for upstream';
  if (task.status === 'blocked') return 'until its upstream is retried';
  // A pending task's start is that of an attempt handed back (a worker stopped): it is queued again.
  if (task.status === 'pending') return 'queued';
  if (!task.started_at) return 'not started';
  const end = task.completed_at ? Date.parse(task.completed_at) : nowMs;
  const ms = Math.max(0, end - Date.parse(task.started_at));
  const text = durationText(ms, '');
  return task.completed_at ? `took ${text}` : `running ${text}`;
}

/** The tasks a retry of the run would run again: failed and cancelled ones. */
export function retryable(tasks: ReadonlyArray<Pick<WorkflowTask, 'status' | 'name'>>): string[] {
  return tasks.filter((t) => t.status === 'failed' || t.status === 'cancelled').map((t) => t.name);
}

/**
 * What an empty Runs list says: a State filter may be all that hides the runs, and the Run buttons it
 * points to exist only beside the registry's workflows. `workflows`: how many the registry has, null
 * while not known.
 */
export function emptyRunsText(workflows: number | null, status: string | undefined): { title: string; detail: string | null } {
  if (status !== undefined) return { title: `No ${status} runs`, detail: 'Choose any under State to list every run.' };
  if (workflows === 0) return { title: 'No runs yet', detail: 'The registry has no workflow to run: add one, as said above.' };
  return { title: 'No runs yet', detail: workflows === null ? null : 'Start one with Run beside its workflow above.' };
}
