import type { BreakerMode, BreakerRecord, BreakerState } from './domain.ts';

/** What dispatch obeys: an operator's force wins over the automatic state, which is still shown beside it. */
export function effectiveState(breaker: { mode: BreakerMode; state: BreakerState }): BreakerState {
  if (breaker.mode === 'force_open') return 'open';
  if (breaker.mode === 'force_closed') return 'closed';
  return breaker.state;
}

/** A breaker nobody has saved yet: version 0, so the first save lands at version 1. */
export function newBreakerRecord(service: string, at: Date): BreakerRecord {
  return {
    service_name: service,
    state: 'closed',
    mode: 'auto',
    window_started_at: at.toISOString(),
    window_failures: 0,
    window_successes: 0,
    prev_failures: 0,
    prev_successes: 0,
    opened_at: null,
    probes_in_flight: 0,
    probe_started_at: null,
    last_transition_at: null,
    last_error: null,
    mode_set_by: null,
    mode_set_at: null,
    mode_reason: null,
    version: 0,
  };
}
