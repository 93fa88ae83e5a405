import type { PathKey } from './locate.ts';
import type { RawProblem } from './checks.ts';
import { entriesOf, fieldOf } from './documentFields.ts';

function namesOf(document: unknown, key: string): Set<string> {
  return new Set(entriesOf(document, key).map((s) => fieldOf(s, 'name')).filter((n): n is string => typeof n === 'string'));
}

/**
 * Rules of `schedules:` beyond the schema: names are unique (fires, jobs and the history are keyed by
 * them), and a schedule's service or workflow is one of this registry's.
 */
export function scheduleChecks(document: unknown): RawProblem[] {
  const services = namesOf(document, 'services');
  const workflows = namesOf(document, 'workflows');
  const first = new Map<string, number>();
  const out: RawProblem[] = [];
  entriesOf(document, 'schedules').forEach((item, index) => {
    const at: PathKey[] = ['schedules', index];
    const name = fieldOf(item, 'name');
    if (typeof name === 'string') {
      const seen = first.get(name);
      if (seen === undefined) first.set(name, index);
      else out.push({ path: [...at, 'name'], message: `duplicate schedule name '${name}' (first defined at schedules[${seen}])`, severity: 'error' });
    }
    const service = fieldOf(item, 'service');
    if (typeof service === 'string' && !services.has(service)) {
      const known = services.size > 0 ? [...services].join(', ') : 'none';
      out.push({ path: [...at, 'service'], message: `service '${service}' is not in this registry's services (known: ${known})`, severity: 'error' });
    }
    const workflow = fieldOf(item, 'workflow');
    if (typeof workflow === 'string' && !workflows.has(workflow)) {
      const known = workflows.size > 0 ? [...workflows].join(', ') : 'none';
      out.push({ path: [...at, 'workflow'], message: `workflow '${workflow}' is not in this registry's workflows (known: ${known})`, severity: 'error' });
    }
  });
  return out;
}
