/**
 * Keys the runbooks' pipeline systems give a workflow task (`- id: search`, `action: web_search`,
 * `task.dependencies`), each with the key opsdeck reads for it and what to write instead. A workflow is
 * checked as if it said opsdeck's key, so its missing dependencies and cycles are named in the same pass.
 */
export const OTHER_SYSTEMS_TASK_KEYS: Readonly<Record<string, { meant: string; advice: (value: unknown) => string }>> = {
  id: { meant: 'name', advice: (value) => `opsdeck calls a task's id its name: write name: ${typeof value === 'string' ? value : 'and the id'}` },
  action: { meant: 'service', advice: () => "a task runs one of the registry's services: write service: and its name" },
  dependencies: { meant: 'depends_on', advice: () => 'opsdeck calls them depends_on: the names of the tasks it waits for' },
};

/** Whether `path` (below the document) is that of one workflow task: workflows[i].tasks[j]. */
export function isTaskPath(path: ReadonlyArray<string | number>): boolean {
  return path.length === 4 && path[0] === 'workflows' && typeof path[1] === 'number' && path[2] === 'tasks' && typeof path[3] === 'number';
}

/** The other system's key a task wrote for opsdeck's `key` (id for name), when it wrote one. */
export function otherWordFor(task: unknown, key: string): string | undefined {
  if (task === null || typeof task !== 'object') return undefined;
  return Object.keys(task).find((written) => OTHER_SYSTEMS_TASK_KEYS[written]?.meant === key);
}
