import { closest } from '../../shared/closestWord.ts';
import { WorkflowConfig, WorkflowTaskConfig, workflowProblems } from '../../shared/workflow.ts';
import type { RawProblem } from './checks.ts';
import { OTHER_SYSTEMS_TASK_KEYS } from './taskWords.ts';

const TASK_KEYS = Object.keys(WorkflowTaskConfig.shape);
const WORKFLOW_KEYS = Object.keys(WorkflowConfig.shape);

/** A workflow read with its tasks' near-miss keys as the keys they likely mean, and which key each task wrote for which. */
interface AsMeant {
  workflow: WorkflowConfig;
  /** Per task: the key meant, to the key written (depends_on: dependsOn). */
  written: Array<Map<string, string>>;
}

/**
 * A workflow whose tasks wrote a key near one they take (the runbook's `dependsOn`), or another system's
 * word for one (`id`, `action`, `dependencies`), read as if they had
 * written that one, so the misspelling does not hide a cycle or a missing dependency: both are said in one
 * pass, as are a workflow's with a key it does not take beside them. Null when it does not parse even so.
 */
export function workflowAsMeant(item: unknown): AsMeant | null {
  if (item === null || typeof item !== 'object') return null;
  const tasks: unknown = Reflect.get(item, 'tasks');
  if (!Array.isArray(tasks)) return null;
  const written: Array<Map<string, string>> = [];
  const read = tasks.map((task: unknown) => {
    const keys = new Map<string, string>();
    written.push(keys);
    if (task === null || typeof task !== 'object' || Array.isArray(task)) return task;
    return Object.fromEntries(
      Object.entries(task).map(([key, value]) => {
        const meant = TASK_KEYS.includes(key) ? key : (OTHER_SYSTEMS_TASK_KEYS[key]?.meant ?? closest(key, TASK_KEYS));
        if (meant === null || meant === key || Object.hasOwn(task, meant)) return [key, value];
        keys.set(meant, key);
        return [meant, value];
      }),
    );
  });
  // A key the workflow does not take (a runbook's `version: "1.0"`) is named on its own; the tasks are still checked.
  const known = Object.fromEntries(Object.entries(item).filter(([key]) => WORKFLOW_KEYS.includes(key)));
  const parsed = WorkflowConfig.safeParse({ ...known, tasks: read });
  return parsed.success ? { workflow: parsed.data, written } : null;
}

/** A problem's path below the workflow with the keys as the task wrote them, so it is found at its line. */
function asWrittenPath(path: Array<string | number>, written: ReadonlyArray<Map<string, string>>): Array<string | number> {
  const [tasks, index, key, ...rest] = path;
  if (tasks !== 'tasks' || typeof index !== 'number' || typeof key !== 'string') return path;
  return [tasks, index, written[index]?.get(key) ?? key, ...rest];
}

/**
 * The registry's workflows beyond their schema: every workflow that parses is checked for duplicate
 * workflow and task names, unknown services and dependencies, and dependency cycles (named by their path,
 * placed on the `depends_on` entry that closes them); load.ts finds each problem's line.
 */
export function workflowChecks(document: unknown, serviceNames: ReadonlySet<string>): RawProblem[] {
  const workflows: unknown = document !== null && typeof document === 'object' ? Reflect.get(document, 'workflows') : undefined;
  if (!Array.isArray(workflows)) return [];
  const out: RawProblem[] = [];
  const first = new Map<string, number>();
  workflows.forEach((item: unknown, index) => {
    const parsed = workflowAsMeant(item);
    if (!parsed) return;
    const { name } = parsed.workflow;
    const seen = first.get(name);
    if (seen !== undefined) {
      out.push({ path: ['workflows', index, 'name'], message: `duplicate workflow name '${name}' (first defined at workflows[${seen}])`, severity: 'error' });
    } else {
      first.set(name, index);
    }
    for (const problem of workflowProblems(parsed.workflow, serviceNames)) {
      out.push({ path: ['workflows', index, ...asWrittenPath(problem.path, parsed.written)], message: problem.message, severity: 'error' });
    }
  });
  return out;
}
