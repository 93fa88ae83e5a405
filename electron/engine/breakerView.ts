import type { BreakerView } from '../../shared/contract.ts';
import type { BreakerRecord, ExecutionType } from '../../shared/domain.ts';
import type { CircuitBreakerConfig } from '../../shared/registry.ts';
import { tunedBreaker, type BreakerTuning } from '../../shared/breakerTuning.ts';
import { windowCounts } from './breakerMachine.ts';
import { newBreakerRecord, resetClears, waitingForProbeText, type BreakerWords } from '../../shared/breakerRecord.ts';

/**
 * What the console shows for one breaker. A service never saved yet shows as closed and empty. `registry`
 * is the registry's settings; an operator's tuning, when there is one, is laid over them. `kind`, the
 * service's execution type, names how to check it by hand; null when the registry lacks it. `words`: how
 * the interface the view is read in resets a breaker and checks a service. `untried`: the method of jobs
 * that do not GET, which that check never sends (shared/breakerRecord.ts, untriedCall).
 */
export function breakerView(
  service: string,
  record: BreakerRecord | null,
  registry: CircuitBreakerConfig,
  waitingJobs: number,
  now: Date,
  tuning: BreakerTuning | null,
  kind: ExecutionType | null,
  words: BreakerWords,
  untried?: string,
): BreakerView {
  const r = record ?? newBreakerRecord(service, now);
  const config = tunedBreaker(registry, tuning ?? undefined);
  const { failures, calls } = windowCounts(r, config, now);
  let halfOpenIn: number | null = null;
  if (r.state === 'open' && r.mode === 'auto' && r.opened_at !== null) {
    const due = Date.parse(r.opened_at) + config.recovery_timeout * 1000;
    halfOpenIn = Math.max(0, Math.ceil((due - now.getTime()) / 1000));
  }
  return {
    service_name: service,
    state: r.state,
    mode: r.mode,
    failures_in_window: Math.round(failures),
    calls_in_window: Math.round(calls),
    failure_threshold: config.failure_threshold,
    minimum_volume: config.minimum_volume,
    recovery_timeout_s: config.recovery_timeout,
    half_open_in_s: halfOpenIn,
    probes_in_flight: r.probes_in_flight,
    waiting_for_probe: waitingForProbeText(r, kind, words, untried),
    opened_at: r.opened_at,
    last_transition_at: r.last_transition_at,
    last_error: r.last_error,
    mode_set_by: r.mode_set_by,
    mode_set_at: r.mode_set_at,
    mode_reason: r.mode_reason,
    waiting_jobs: waitingJobs,
    reset_clears: resetClears(r),
    tuning,
    registry_settings: { failure_threshold: registry.failure_threshold, recovery_timeout_s: registry.recovery_timeout, minimum_volume: registry.minimum_volume },
  };
}
