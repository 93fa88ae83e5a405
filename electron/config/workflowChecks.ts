import { WorkflowConfig, workflowProblems } from '../../shared/workflow.ts';
import type { RawProblem } from './checks.ts';

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
    const parsed = WorkflowConfig.safeParse(item);
    if (!parsed.success) return;
    const { name } = parsed.data;
    const seen = first.get(name);
    if (seen !== undefined) {
      out.push({ path: ['workflows', index, 'name'], message: `duplicate workflow name '${name}' (first defined at workflows[${seen}])`, severity: 'error' });
    } else {
      first.set(name, index);
    }
    for (const problem of workflowProblems(parsed.data, serviceNames)) {
      out.push({ path: ['workflows', index, ...problem.path], message: problem.message, severity: 'error' });
    }
  });
  return out;
}
