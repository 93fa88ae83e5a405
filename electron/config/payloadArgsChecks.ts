import type { PathKey } from './locate.ts';
import type { RawProblem } from './checks.ts';
import { entriesOf, fieldOf } from './documentFields.ts';

/** Shell and Docker services that refuse a job's payload.args (runner_config.payload_args is not true). */
function servicesRefusingArgs(document: unknown): Set<string> {
  const refusing = new Set<string>();
  for (const service of entriesOf(document, 'services')) {
    const name = fieldOf(service, 'name');
    const type = fieldOf(service, 'execution_type');
    if (typeof name === 'string' && (type === 'shell' || type === 'docker') && fieldOf(service, 'runner_config', 'payload_args') !== true) refusing.add(name);
  }
  return refusing;
}

/**
 * A schedule or workflow task whose payload gives args to a service that takes none would fail every
 * fire and every run: said when the registry loads, on the args themselves.
 */
export function payloadArgsChecks(document: unknown): RawProblem[] {
  const refusing = servicesRefusingArgs(document);
  const out: RawProblem[] = [];
  const check = (service: unknown, payload: unknown, at: PathKey[]) => {
    const args = fieldOf(payload, 'args');
    if (typeof service === 'string' && refusing.has(service) && Array.isArray(args) && args.length > 0) {
      out.push({ path: [...at, 'payload', 'args'], message: `service '${service}' takes no payload.args: set payload_args: true in its runner_config, or leave args out`, severity: 'error' });
    }
  };
  const workflows = entriesOf(document, 'workflows');
  const tasksOf = (name: unknown) => entriesOf(workflows.find((w) => fieldOf(w, 'name') === name), 'tasks');
  entriesOf(document, 'schedules').forEach((schedule, index) => {
    check(fieldOf(schedule, 'service'), fieldOf(schedule, 'payload'), ['schedules', index]);
    // A workflow's run payload is laid over each task's: its args reach every task.
    for (const task of tasksOf(fieldOf(schedule, 'workflow'))) check(fieldOf(task, 'service'), fieldOf(schedule, 'payload'), ['schedules', index]);
  });
  workflows.forEach((workflow, w) =>
    entriesOf(workflow, 'tasks').forEach((task, t) => check(fieldOf(task, 'service'), fieldOf(task, 'payload'), ['workflows', w, 'tasks', t])),
  );
  return out;
}
