import { effectiveState } from '../../shared/breakerRecord.ts';
import type { BreakerRecord, HealthCheck } from '../../shared/domain.ts';
import type { Store } from '../store/store.ts';

function how(breaker: BreakerRecord): string {
  if (breaker.mode === 'force_open') return `forced open${breaker.mode_set_by ? ` by ${breaker.mode_set_by}` : ''}`;
  return effectiveState(breaker) === 'half_open' ? 'half-open' : 'open';
}

/**
 * Health-check's breakers check: a warning while any circuit breaker holds its service's jobs, naming each
 * and how many jobs it holds. Not a failure: an open breaker is dispatch protecting an upstream that fails,
 * yet "healthy" alone in the middle of such an outage would send the operator the wrong way.
 */
export async function breakersCheck(store: Store): Promise<HealthCheck> {
  const breakers = await store.listBreakers();
  const holding = breakers.filter((b) => effectiveState(b) !== 'closed');
  if (holding.length === 0) return { name: 'breakers', ok: true, detail: breakers.length === 0 ? 'no circuit breaker has tripped yet' : `all ${breakers.length} closed` };
  const pending = await store.pendingByService();
  const named = holding
    .sort((a, b) => a.service_name.localeCompare(b.service_name))
    .map((b) => `${b.service_name} ${how(b)} (${pending[b.service_name] ?? 0} pending)`);
  return {
    name: 'breakers',
    ok: true,
    warning: true,
    detail: `${holding.length} circuit breaker(s) hold their services' jobs: ${named.join(', ')}; opsdeck breaker list says why, opsdeck breaker reset SERVICE releases one`,
  };
}
