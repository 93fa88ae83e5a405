import { effectiveState } from '../../shared/breakerRecord.ts';
import type { BreakerRecord, HealthCheck } from '../../shared/domain.ts';
import type { Store } from '../store/store.ts';
import { breakerHow as how } from './breakerHolds.ts';
import type { InterfaceWords } from './interfaceWords.ts';

/**
 * Health-check's breakers check: a warning while a circuit breaker holds its service's jobs (or an operator
 * forced one open), naming each and how many jobs wait. Not a failure: an open breaker is dispatch
 * protecting an upstream that fails, yet "healthy" alone in the middle of such an outage would send the
 * operator the wrong way. A breaker with nothing waiting (half-open until a job comes to probe it) is only
 * mentioned: it would keep the warning up for good on a quiet service.
 *
 * "All N closed" counts what `breaker list` shows, every registry service and every stored breaker, not the
 * stored rows alone: a breaker is only stored once its service has run, so that count grew as jobs ran and
 * never matched the list beside it.
 */
export async function breakersCheck(store: Store, registryServices: readonly string[], words: InterfaceWords): Promise<HealthCheck> {
  const breakers = await store.listBreakers();
  const notClosed = breakers.filter((b) => effectiveState(b) !== 'closed').sort((a, b) => a.service_name.localeCompare(b.service_name));
  const shown = new Set([...registryServices, ...breakers.map((b) => b.service_name)]).size;
  if (notClosed.length === 0) return { name: 'breakers', ok: true, detail: shown === 0 ? 'no service has a circuit breaker yet' : `all ${shown} closed` };
  const pending = await store.pendingByService();
  const waiting = (b: BreakerRecord) => pending[b.service_name] ?? 0;
  const holding = notClosed.filter((b) => waiting(b) > 0 || b.mode === 'force_open');
  const idle = notClosed.filter((b) => !holding.includes(b)).map((b) => `${b.service_name} ${how(b)}`);
  const idleText = idle.length > 0 ? `${idle.join(', ')} with no job waiting` : '';
  if (holding.length === 0) return { name: 'breakers', ok: true, detail: idleText };
  const named = holding.map((b) => `${b.service_name} ${how(b)} (${waiting(b)} pending)`);
  return {
    name: 'breakers',
    ok: true,
    warning: true,
    detail: `${holding.length} circuit breaker(s) hold their services' jobs: ${named.join(', ')}; ${words.call('breakers.list')} says why, ${words.resetBreaker('SERVICE')} releases one${idleText ? `; also ${idleText}` : ''}`,
  };
}

/** `a (…)`, `a (…) and b (…)`: services named together. */
function together(named: string[]): string {
  return named.length === 1 ? named.join('') : `${named.slice(0, -1).join(', ')} and ${named.at(-1) ?? ''}`;
}

/** A breaker's last error, cut for a line; null when it kept none. */
function lastError(b: BreakerRecord): string | null {
  return b.last_error ? b.last_error.slice(0, 120) : null;
}

/**
 * A half-open breaker's service: its calls failed until the breaker opened, and it now lets probe jobs
 * through, one running or the next to come, whose verdict closes it or opens it again. Not "open": it lets
 * those through.
 */
function halfOpenText(b: BreakerRecord): string {
  const error = lastError(b);
  const failed = `the calls of ${b.service_name} failed${error === null ? '' : ` (${error})`} until its circuit breaker opened: half-open now`;
  const n = b.probes_in_flight;
  if (n === 0) return `${failed}, waiting for its probe: the next job of ${b.service_name} goes through as one`;
  return `${failed}, ${n === 1 ? 'its probe job running, whose verdict closes it or opens it again' : `${n} probe jobs running, whose verdicts close it or open it again`}`;
}

/**
 * A runner's probe reaches its upstreams' base URLs, not the calls its jobs make: "answering" while a
 * service's breaker is open (every job of it failing) would call the runner healthy in the middle of that
 * outage. Such a check gets a warning naming those services and their last error; it stays ok, since the
 * runner itself works. A half-open breaker is said as one, with its probe.
 */
export function withOpenBreakers(check: HealthCheck, kind: string, breakers: BreakerRecord[], kindOf: (service: string) => string | undefined, words: InterfaceWords): HealthCheck {
  const notClosed = breakers
    .filter((b) => effectiveState(b) !== 'closed' && b.mode !== 'force_open' && kindOf(b.service_name) === kind)
    .sort((a, b) => a.service_name.localeCompare(b.service_name));
  if (notClosed.length === 0 || !check.ok) return check;
  const open = notClosed.filter((b) => effectiveState(b) === 'open');
  const clauses = notClosed.filter((b) => effectiveState(b) === 'half_open').map(halfOpenText);
  if (open.length > 0) {
    const named = open.map((b) => {
      const error = lastError(b);
      return `${b.service_name} (open${error === null ? '' : `: ${error}`})`;
    });
    const services = together(named);
    clauses.unshift(`the calls of ${services} fail: ${open.length === 1 ? 'its circuit breaker is' : 'their circuit breakers are'} open`);
  }
  return { ...check, warning: true, detail: `${check.detail}; but ${clauses.join('; ')} (${words.call('breakers.list')})` };
}
