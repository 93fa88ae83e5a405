import type { PathKey } from './locate.ts';
import type { RawProblem } from './checks.ts';

function entriesOf(value: unknown, key: string): unknown[] {
  if (value === null || typeof value !== 'object') return [];
  const list: unknown = Reflect.get(value, key);
  return Array.isArray(list) ? list : [];
}

function field(item: unknown, key: string): unknown {
  return item !== null && typeof item === 'object' ? Reflect.get(item, key) : undefined;
}

/**
 * Rules of `schedules:` beyond the schema: names are unique (fires, jobs and the history are keyed by
 * them), and a schedule's service is one of this registry's services.
 */
export function scheduleChecks(document: unknown): RawProblem[] {
  const services = new Set(entriesOf(document, 'services').map((s) => field(s, 'name')).filter((n): n is string => typeof n === 'string'));
  const first = new Map<string, number>();
  const out: RawProblem[] = [];
  entriesOf(document, 'schedules').forEach((item, index) => {
    const at: PathKey[] = ['schedules', index];
    const name = field(item, 'name');
    if (typeof name === 'string') {
      const seen = first.get(name);
      if (seen === undefined) first.set(name, index);
      else out.push({ path: [...at, 'name'], message: `duplicate schedule name '${name}' (first defined at schedules[${seen}])`, severity: 'error' });
    }
    const service = field(item, 'service');
    if (typeof service === 'string' && !services.has(service)) {
      const known = services.size > 0 ? [...services].join(', ') : 'none';
      out.push({ path: [...at, 'service'], message: `service '${service}' is not in this registry's services (known: ${known})`, severity: 'error' });
    }
  });
  return out;
}
