/** A workflow task's run and task name, from what its payload carries (`workflow: { run, task }`); null for any other job. */
export function workflowTaskOf(payload: unknown): { run: string; task: string } | null {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const flow: unknown = Reflect.get(payload, 'workflow');
  if (typeof flow !== 'object' || flow === null) return null;
  const run: unknown = Reflect.get(flow, 'run');
  const task: unknown = Reflect.get(flow, 'task');
  return typeof run === 'string' && typeof task === 'string' ? { run, task } : null;
}
