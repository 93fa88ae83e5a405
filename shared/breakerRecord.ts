import type { BreakerRecord } from './domain.ts';

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
