import { z } from 'zod';
import { closest } from './closestWord.ts';
import { JobStatus, JsonObject, Timestamp } from './domain.ts';

/**
 * Workflows (the registry's `workflows:`): a set of tasks, each a service of the registry and a payload,
 * run in the order their `depends_on` gives. Every task of a run is a job; a task waits (`waiting`) until
 * all it depends on completed, and a task whose upstream failed is `blocked` until that upstream is
 * retried. The schema and the pure checks (cycles, unknown and duplicate names) live here so the
 * registry loader, the store's tests and the console read them the same way.
 */

const taskName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'use letters, digits, _ . - (at most 100)');

/** What a task hands its dependents: the tail of its output as text, or that tail read as JSON. */
export const PassOutput = z.enum(['tail', 'json']);
export type PassOutput = z.infer<typeof PassOutput>;

export const WorkflowTaskConfig = z
  .object({
    name: taskName,
    service: z.string().min(1).max(100),
    payload: JsonObject.default({}),
    depends_on: z.array(taskName).default([]),
    pass_output: PassOutput.optional(),
  })
  .strict();
export type WorkflowTaskConfig = z.infer<typeof WorkflowTaskConfig>;

/** `stuck_after`: a running run with no task progress for this long is flagged on the overview. */
export const StuckAfter = z.string().regex(/^\d{1,6}(s|m|h|d)$/, 'must be a duration such as 90s, 30m, 2h or 1d');

export const WorkflowConfig = z
  .object({
    name: taskName,
    description: z.string().optional(),
    stuck_after: StuckAfter.default('1h'),
    tasks: z.array(WorkflowTaskConfig).min(1),
  })
  .strict();
export type WorkflowConfig = z.infer<typeof WorkflowConfig>;

/** Where a workflow's tasks put what their upstreams passed them in the job's payload. */
export const WORKFLOW_PAYLOAD_KEY = 'workflow';

const SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

export function stuckAfterMs(text: string): number {
  const match = /^(\d{1,6})(s|m|h|d)$/.exec(text);
  if (!match?.[1] || !match[2]) return 3_600_000;
  return Number(match[1]) * SECONDS[match[2] as keyof typeof SECONDS] * 1000;
}

/** A problem in one workflow, addressed by its path below `workflows[i]`. */
export interface WorkflowProblem {
  path: Array<string | number>;
  message: string;
}

/**
 * A dependency cycle: the tasks in the order they would run (`extract -> transform -> load -> extract`)
 * and the `depends_on` entry that closes it.
 */
export interface WorkflowCycle {
  path: string[];
  /** The task whose `depends_on[dependency]` closes the cycle. */
  task: number;
  dependency: number;
}

/** The first cycle met walking the tasks in file order, or null. */
export function findCycle(tasks: ReadonlyArray<{ name: string; depends_on: readonly string[] }>): WorkflowCycle | null {
  const index = new Map(tasks.map((t, i) => [t.name, i]));
  // Walk from each task to the tasks it depends on; a path back to a task on the stack is a cycle.
  const state = new Map<string, 'open' | 'done'>();
  const stack: Array<{ task: number; dependency: number }> = [];
  const visit = (i: number): WorkflowCycle | null => {
    const task = tasks[i];
    if (!task) return null;
    state.set(task.name, 'open');
    for (let d = 0; d < task.depends_on.length; d++) {
      const dep = task.depends_on[d] ?? '';
      const j = index.get(dep);
      if (j === undefined) continue;
      stack.push({ task: i, dependency: d });
      if (state.get(dep) === 'open') {
        const start = stack.findIndex((s) => tasks[s.task]?.name === dep);
        const loop = stack.slice(start);
        // The stack runs dependent → upstream; a run goes upstream → dependent, so the path is reversed.
        const names = [dep, ...loop.map((s) => tasks[s.task]?.name ?? '').reverse()];
        const closing = loop[0] ?? { task: i, dependency: d };
        return { path: names, task: closing.task, dependency: closing.dependency };
      }
      if (state.get(dep) !== 'done') {
        const found = visit(j);
        if (found) return found;
      }
      stack.pop();
    }
    state.set(task.name, 'done');
    return null;
  };
  for (let i = 0; i < tasks.length; i++) {
    const name = tasks[i]?.name;
    if (name !== undefined && !state.has(name)) {
      const found = visit(i);
      if (found) return found;
    }
  }
  return null;
}

/** Duplicate task names, unknown dependencies and services, self-dependencies and cycles. */
export function workflowProblems(workflow: WorkflowConfig, services: ReadonlySet<string>): WorkflowProblem[] {
  const out: WorkflowProblem[] = [];
  const first = new Map<string, number>();
  workflow.tasks.forEach((task, i) => {
    const seen = first.get(task.name);
    if (seen !== undefined) out.push({ path: ['tasks', i, 'name'], message: `duplicate task name '${task.name}' (first defined at tasks[${seen}])` });
    else first.set(task.name, i);
    if (!services.has(task.service)) {
      const guess = closest(task.service, [...services]);
      out.push({ path: ['tasks', i, 'service'], message: `unknown service '${task.service}': not in services${guess ? ` (did you mean '${guess}'?)` : ''}` });
    }
    if (Object.hasOwn(task.payload, WORKFLOW_PAYLOAD_KEY)) {
      out.push({ path: ['tasks', i, 'payload', WORKFLOW_PAYLOAD_KEY], message: `the payload key '${WORKFLOW_PAYLOAD_KEY}' is reserved for what the workflow passes its tasks` });
    }
  });
  workflow.tasks.forEach((task, i) => {
    task.depends_on.forEach((dep, d) => {
      if (dep === task.name) out.push({ path: ['tasks', i, 'depends_on', d], message: `task '${task.name}' depends on itself` });
      else if (!first.has(dep)) {
        const guess = closest(dep, [...first.keys()]);
        const hint = guess ? ` (did you mean '${guess}'?)` : '';
        out.push({ path: ['tasks', i, 'depends_on', d], message: `unknown dependency '${dep}' of task '${task.name}': no task of that name in workflow '${workflow.name}'${hint}` });
      }
    });
  });
  const cycle = findCycle(workflow.tasks.map((t) => ({ name: t.name, depends_on: t.depends_on.filter((d) => d !== t.name) })));
  if (cycle) {
    out.push({ path: ['tasks', cycle.task, 'depends_on', cycle.dependency], message: `dependency cycle: ${cycle.path.join(' -> ')}` });
  }
  return out;
}

// ---- runs, as the contract shows them ------------------------------------------------------------

export const WorkflowRunStatus = z.enum(['running', 'completed', 'failed', 'cancelled']);
export type WorkflowRunStatus = z.infer<typeof WorkflowRunStatus>;
export const WORKFLOW_RUN_STATUSES = WorkflowRunStatus.options;

export const WorkflowRun = z.object({
  id: z.number().int(),
  identifier: z.string(),
  workflow: z.string(),
  status: WorkflowRunStatus,
  payload: JsonObject,
  created_by: z.string(),
  created_at: Timestamp,
  /** The last time a task of the run moved on (released, finished, blocked, retried). */
  updated_at: Timestamp,
  finished_at: Timestamp.nullable(),
  /** Its workflow's stuck_after when it started, in ms; null for a run started before runs kept theirs. */
  stuck_after_ms: z.number().int().nullable(),
  /** Tasks per job status. */
  tasks: z.record(z.string(), z.number().int()),
});
export type WorkflowRun = z.infer<typeof WorkflowRun>;

export const WorkflowTask = z.object({
  name: z.string(),
  job_id: z.number().int(),
  service_name: z.string(),
  status: JobStatus,
  depends_on: z.array(z.string()),
  pass_output: PassOutput.nullable(),
  attempts: z.number().int(),
  started_at: Timestamp.nullable(),
  completed_at: Timestamp.nullable(),
  /** The error of a failed task; why a blocked one waits. */
  error_message: z.string().nullable(),
});
export type WorkflowTask = z.infer<typeof WorkflowTask>;

export const WorkflowRunDetail = z.object({ run: WorkflowRun, tasks: z.array(WorkflowTask) });
export type WorkflowRunDetail = z.infer<typeof WorkflowRunDetail>;

/** Whether a running run has made no progress for longer than its workflow allows. */
export function isRunStuck(run: Pick<WorkflowRun, 'status' | 'updated_at'>, stuckAfter: number, nowMs: number): boolean {
  return run.status === 'running' && nowMs - Date.parse(run.updated_at) > stuckAfter;
}
