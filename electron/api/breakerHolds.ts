import { effectiveState } from '../../shared/breakerRecord.ts';
import { tunedBreaker, type BreakerTuning } from '../../shared/breakerTuning.ts';
import type { BreakerRecord } from '../../shared/domain.ts';
import { effectiveBreaker } from '../../shared/registry.ts';
import type { RegistryHolder } from '../config/holder.ts';
import { dispatchAllowance } from '../engine/breakerMachine.ts';

/**
 * How many more of the service's jobs its breaker lets start now, with the breaker settings in force (the
 * registry's, tuned at run time): what the dispatcher obeys, so a job's waiting reason and the dispatch
 * check say a breaker holds jobs exactly when it does.
 */
export function breakerAllowance(registry: RegistryHolder, tunings: BreakerTuning[], breaker: BreakerRecord | null, now: Date): number {
  if (breaker === null) return Number.POSITIVE_INFINITY;
  const service = breaker.service_name;
  return dispatchAllowance(breaker, tunedBreaker(effectiveBreaker(registry.service(service)), tunings.find((t) => t.service_name === service)), now);
}

/** How a breaker holding its jobs holds them: `forced open by alice@laptop`, `half-open`, `open`. */
export function breakerHow(breaker: BreakerRecord): string {
  if (breaker.mode === 'force_open') return `forced open${breaker.mode_set_by ? ` by ${breaker.mode_set_by}` : ''}`;
  return effectiveState(breaker) === 'half_open' ? 'half-open' : 'open';
}
