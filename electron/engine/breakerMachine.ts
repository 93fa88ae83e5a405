import type { BreakerRecord } from '../../shared/domain.ts';
import type { CircuitBreakerConfig } from '../../shared/registry.ts';
import type { BreakerTransition } from '../store/breakerStore.ts';
import { countOf } from '../../shared/countText.ts';

/**
 * The circuit breaker as a pure state machine: a record and an event in, the next record (version bumped
 * when anything changed) and the transition, if any, out. The caller persists with the record's version as
 * the optimistic-concurrency token, so every worker sharing the store moves one breaker together.
 */

export type BreakerEvent =
  /** `count` successes at the same instant (a settled batch): the same as that many single events. */
  | { type: 'success'; at: Date; count?: number }
  /** `count` failures at the same instant (outcomes folded while they could not be written), as for success. */
  | { type: 'failure'; at: Date; error?: string; count?: number }
  /** Time passed: rolls the window, moves open → half_open after the recovery timeout, expires probes. */
  | { type: 'tick'; at: Date }
  | { type: 'probe_start'; at: Date }
  | { type: 'probe_timeout'; at: Date }
  /** A probe ended without a verdict (interrupted, or failed by its own fault): its slot frees up. */
  | { type: 'probe_release'; at: Date };

export interface BreakerStep {
  record: BreakerRecord;
  transition: BreakerTransition | null;
}

const ms = (iso: string | null): number => (iso === null ? Number.NaN : Date.parse(iso));

/** Moves the two buckets forward so the current one contains `at`. */
export function rollWindow(record: BreakerRecord, config: CircuitBreakerConfig, at: Date): BreakerRecord {
  const windowMs = config.window * 1000;
  const start = ms(record.window_started_at);
  const now = at.getTime();
  if (!Number.isFinite(start) || now - start >= 2 * windowMs) {
    return {
      ...record,
      window_started_at: at.toISOString(),
      window_failures: 0,
      window_successes: 0,
      prev_failures: 0,
      prev_successes: 0,
    };
  }
  if (now - start < windowMs) return record;
  return {
    ...record,
    window_started_at: new Date(start + windowMs).toISOString(),
    prev_failures: record.window_failures,
    prev_successes: record.window_successes,
    window_failures: 0,
    window_successes: 0,
  };
}

/**
 * Failures and calls in the rolling window ending at `at`: the current bucket in full plus the previous
 * bucket weighted by how much of it still overlaps the window, which avoids the cliff of fixed buckets.
 */
export function windowCounts(
  record: BreakerRecord,
  config: CircuitBreakerConfig,
  at: Date,
): { failures: number; calls: number } {
  const rolled = rollWindow(record, config, at);
  const windowMs = config.window * 1000;
  const elapsed = at.getTime() - ms(rolled.window_started_at);
  const weight = Math.min(1, Math.max(0, 1 - elapsed / windowMs));
  const failures = rolled.window_failures + rolled.prev_failures * weight;
  const calls = failures + rolled.window_successes + rolled.prev_successes * weight;
  return { failures, calls };
}

function clearedWindow(record: BreakerRecord, at: Date): BreakerRecord {
  return {
    ...record,
    window_started_at: at.toISOString(),
    window_failures: 0,
    window_successes: 0,
    prev_failures: 0,
    prev_successes: 0,
  };
}

function moveTo(
  record: BreakerRecord,
  to: BreakerRecord['state'],
  at: Date,
  reason: string,
): BreakerStep {
  const iso = at.toISOString();
  const next: BreakerRecord = {
    ...record,
    state: to,
    last_transition_at: iso,
    probes_in_flight: 0,
    probe_started_at: null,
    opened_at: to === 'open' ? iso : to === 'closed' ? null : record.opened_at,
    left_closed_at: to === 'closed' ? null : record.state === 'closed' ? iso : record.left_closed_at,
  };
  return {
    record: to === 'closed' ? clearedWindow(next, at) : next,
    transition: { from: record.state, to, reason },
  };
}

function probeExpired(record: BreakerRecord, config: CircuitBreakerConfig, at: Date): boolean {
  return (
    record.state === 'half_open' &&
    record.probes_in_flight > 0 &&
    at.getTime() - ms(record.probe_started_at) >= config.probe_timeout * 1000
  );
}

function recoveryElapsed(record: BreakerRecord, config: CircuitBreakerConfig, at: Date): boolean {
  const opened = ms(record.opened_at);
  return !Number.isFinite(opened) || at.getTime() - opened >= config.recovery_timeout * 1000;
}

function apply(record: BreakerRecord, config: CircuitBreakerConfig, event: BreakerEvent): BreakerStep {
  const at = event.at;
  const rolled = rollWindow(record, config, at);
  const auto = rolled.mode === 'auto';
  switch (event.type) {
    case 'success': {
      const count = Math.max(1, event.count ?? 1);
      if (auto && rolled.state === 'half_open') {
        // The first success closes the breaker; the others land in the window that closing starts.
        const closed = moveTo({ ...rolled, window_successes: rolled.window_successes + 1 }, 'closed', at, 'probe succeeded');
        return { ...closed, record: { ...closed.record, window_successes: closed.record.window_successes + count - 1 } };
      }
      return { record: { ...rolled, window_successes: rolled.window_successes + count }, transition: null };
    }
    case 'failure': {
      const counted = {
        ...rolled,
        window_failures: rolled.window_failures + Math.max(1, event.count ?? 1),
        last_error: event.error ?? rolled.last_error,
      };
      if (!auto) return { record: counted, transition: null };
      if (counted.state === 'half_open') {
        return moveTo(counted, 'open', at, `probe failed${event.error ? `: ${event.error}` : ''}`);
      }
      if (counted.state === 'closed') {
        const { failures, calls } = windowCounts(counted, config, at);
        if (failures >= config.failure_threshold && calls >= config.minimum_volume) {
          const reason = `${countOf(Math.round(failures), 'failure')} in ${countOf(Math.round(calls), 'call')} within ${config.window}s`;
          return moveTo(counted, 'open', at, reason);
        }
      }
      return { record: counted, transition: null };
    }
    case 'tick': {
      if (!auto) return { record: rolled, transition: null };
      if (rolled.state === 'open' && recoveryElapsed(rolled, config, at)) {
        return moveTo(rolled, 'half_open', at, `recovery timeout of ${config.recovery_timeout}s elapsed`);
      }
      if (probeExpired(rolled, config, at)) {
        return moveTo(rolled, 'open', at, `probe timed out after ${config.probe_timeout}s`);
      }
      return { record: rolled, transition: null };
    }
    case 'probe_start': {
      if (!auto || rolled.state !== 'half_open' || rolled.probes_in_flight >= config.half_open_probes) {
        return { record: rolled, transition: null };
      }
      return {
        record: {
          ...rolled,
          probes_in_flight: rolled.probes_in_flight + 1,
          probe_started_at: rolled.probe_started_at ?? at.toISOString(),
        },
        transition: null,
      };
    }
    case 'probe_release': {
      if (rolled.state !== 'half_open' || rolled.probes_in_flight === 0) return { record: rolled, transition: null };
      const probes = rolled.probes_in_flight - 1;
      return {
        record: { ...rolled, probes_in_flight: probes, probe_started_at: probes === 0 ? null : rolled.probe_started_at },
        transition: null,
      };
    }
    case 'probe_timeout': {
      if (!auto || rolled.state !== 'half_open') return { record: rolled, transition: null };
      return moveTo(rolled, 'open', at, `probe timed out after ${config.probe_timeout}s`);
    }
  }
}

const COMPARED: Array<keyof BreakerRecord> = [
  'state',
  'window_started_at',
  'window_failures',
  'window_successes',
  'prev_failures',
  'prev_successes',
  'opened_at',
  'left_closed_at',
  'probes_in_flight',
  'probe_started_at',
  'last_transition_at',
  'last_error',
];

/** Applies one event. Returns the input record itself when nothing changed, so callers can skip the save. */
export function stepBreaker(record: BreakerRecord, config: CircuitBreakerConfig, event: BreakerEvent): BreakerStep {
  const step = apply(record, config, event);
  if (step.transition === null && COMPARED.every((key) => step.record[key] === record[key])) {
    return { record, transition: null };
  }
  return { record: { ...step.record, version: record.version + 1 }, transition: step.transition };
}

/**
 * How many more jobs of this service may start now: Infinity when closed (or forced closed), the free
 * probe slots when half-open, 0 when open or forced open. An open breaker whose recovery timeout elapsed
 * still answers 0 until a `tick` moved it to half_open, so the probe count is agreed through the store.
 */
export function dispatchAllowance(record: BreakerRecord | null, config: CircuitBreakerConfig, now: Date): number {
  if (record === null) return Number.POSITIVE_INFINITY;
  if (record.mode === 'force_open') return 0;
  if (record.mode === 'force_closed') return Number.POSITIVE_INFINITY;
  switch (record.state) {
    case 'closed':
      return Number.POSITIVE_INFINITY;
    case 'open':
      return 0;
    case 'half_open':
      if (probeExpired(record, config, now)) return 0;
      return Math.max(0, config.half_open_probes - record.probes_in_flight);
  }
}

/**
 * What a breaker holding back every job of its service waits for: `moving`, nothing but its store to hear
 * of it (a probe's verdict, a recovery timeout or probe timeout already passed); `recovering`, its
 * recovery timeout, before the first probe since it tripped; `held`, an operator (forced open) or a
 * recovery timeout after a probe failed, the upstream failing still. Null while it lets jobs start.
 */
export type BreakerHold = 'moving' | 'recovering' | 'held';

export function breakerHold(record: BreakerRecord | null, config: CircuitBreakerConfig, now: Date): BreakerHold | null {
  if (record === null || dispatchAllowance(record, config, now) > 0) return null;
  if (record.mode !== 'auto') return 'held';
  if (record.state === 'half_open' || tickDue(record, config, now)) return 'moving';
  // Opened from closed, it left closed as it opened; a failed probe opens it again later.
  const opened = ms(record.opened_at);
  return Number.isFinite(opened) && opened === ms(record.left_closed_at) ? 'recovering' : 'held';
}

export function canDispatch(record: BreakerRecord | null, config: CircuitBreakerConfig, now: Date): boolean {
  return dispatchAllowance(record, config, now) > 0;
}

/** Whether a `tick` at `now` would change the state (recovery elapsed, or a probe expired). */
export function tickDue(record: BreakerRecord, config: CircuitBreakerConfig, now: Date): boolean {
  if (record.mode !== 'auto') return false;
  return (record.state === 'open' && recoveryElapsed(record, config, now)) || probeExpired(record, config, now);
}
