import type { Actor, BreakerMode, BreakerRecord } from '../../shared/domain.ts';
import type { BreakerTuning } from '../../shared/breakerTuning.ts';
import type { RateLimitChange, RateLimitTuning } from '../../shared/rateLimitTuning.ts';
import type { BreakerOverrides } from '../../shared/registry.ts';
import type { ServiceGate } from '../../shared/rateLimit.ts';
import type { Tuned } from './tuningTables.ts';

/** The Store's circuit breakers (control.ts of each dialect), and what operators tuned of them and of rate limits. */
export interface BreakerStore {
  listBreakers(): Promise<BreakerRecord[]>;
  getBreaker(service: string): Promise<BreakerRecord | null>;
  /**
   * Saves only if the stored version equals `record.version - 1` (or the breaker is new at version 1).
   * A transition is written to the audit log (actor `engine`, action `breaker.transition`) with it.
   */
  saveBreaker(record: BreakerRecord, transition: BreakerTransition | null): Promise<boolean>;
  /**
   * An operator's mode (`reset`: closed in auto, its counts and error cleared), stored with who set it, when
   * and why, versioned and audited (`breaker.<mode>`), only when it changes the breaker (`modeChanges`,
   * decided under the store's lock): null, nothing written or audited, for one already in that mode, or for a
   * reset one already closed in auto with nothing to clear. A breaker never stored is closed in auto and
   * stays unstored.
   */
  setBreakerModeIfItChanges(service: string, mode: BreakerMode | 'reset', actor: Actor, reason: string | null): Promise<BreakerRecord | null>;

  // ---- breaker and rate limit tuning (tunings.ts of each dialect) ---------------------------------
  /** Every breaker an operator tuned at run time, by service name. */
  listBreakerTunings(): Promise<BreakerTuning[]>;
  /**
   * Lays `settings` over the service's tuning (keys given replace those stored, the rest stay), or with
   * null forgets the tuning (back to the registry's values). Audited (`breaker.tune`) and announced as a
   * breakers signal in the same transaction, unless it changes nothing (a repeat is not audited). Returns
   * the tuning now in force (null when none), and whether this call changed it.
   */
  tuneBreaker(service: string, settings: BreakerOverrides | null, actor: Actor, reason: string | null): Promise<Tuned<BreakerTuning>>;
  /** Every service whose rate limit or max_concurrent an operator tuned at run time, by service name. */
  listRateLimitTunings(): Promise<RateLimitTuning[]>;
  /**
   * As tuneBreaker, for a service's rate limit and max_concurrent, decided under the store's lock: numbers
   * laid over the tuning (null forgets it) or the budget in force scaled, `registry` being the registry's
   * gate for the service. Audited as `rate_limit.tune` with the budget in force before and after
   * (`in_force_before`, `in_force_after`); a change that changes nothing is not, and says so.
   */
  tuneRateLimit(service: string, change: RateLimitChange, registry: ServiceGate | null, actor: Actor, reason: string | null): Promise<Tuned<RateLimitTuning>>;
}

export interface BreakerTransition {
  from: BreakerRecord['state'];
  to: BreakerRecord['state'];
  reason: string;
}
