import type { BreakerMode, BreakerRecord, BreakerState, ExecutionType } from './domain.ts';
import { countText } from './countText.ts';
import type { ServiceConfig } from './registry.ts';

/** What dispatch obeys: an operator's force wins over the automatic state, which is still shown beside it. */
export function effectiveState(breaker: { mode: BreakerMode; state: BreakerState }): BreakerState {
  if (breaker.mode === 'force_open') return 'open';
  if (breaker.mode === 'force_closed') return 'closed';
  return breaker.state;
}

/**
 * Who forced the breaker's mode, when, and why: while the mode is forced, that is what holds it. In auto
 * mode the setter and reason are those of a reset or an `auto` that gave the breaker back to its own
 * judgement, which may since have opened it again: they say nothing about it now (the audit log keeps them).
 */
export function forcedBy(breaker: Pick<BreakerRecord, 'mode' | 'mode_set_by' | 'mode_set_at' | 'mode_reason'>): { by: string | null; at: string | null; reason: string | null } | null {
  if (breaker.mode === 'auto') return null;
  return { by: breaker.mode_set_by, at: breaker.mode_set_at, reason: breaker.mode_reason };
}

/** How an interface says resetting a service's circuit breaker: its command, or its button. */
export type ResetWords = (service: string) => string;

export const CLI_RESET: ResetWords = (service) => `opsdeck breaker reset ${service}`;

/** Every breaker's row on the Breakers page has its Reset. */
export const CONSOLE_RESET: ResetWords = (service) => `Reset beside ${service} on the Breakers page`;

/**
 * What a retry tells of jobs it sends back to a breaker that holds them, in the words the CLI and the
 * console both show: they will wait, and what releases them (`reset`, in the interface's words).
 */
export function heldByBreakerText(held: { service_name: string; mode: BreakerMode; state: BreakerState; jobs: number }, reset: ResetWords): string {
  const service = held.service_name;
  const how = held.mode === 'force_open' ? 'forced open' : held.state === 'half_open' ? 'half-open: its probes run first' : 'open';
  const jobs = held.jobs === 1 ? '1 job' : `${countText(held.jobs)} jobs`;
  const [wait, them] = held.jobs === 1 ? ['waits', 'it'] : ['wait', 'them'];
  return `${jobs} of ${service} ${wait}: its circuit breaker is ${how} (${reset(service)} releases ${them})`;
}

/**
 * How an interface says checking a service by hand, as far as opsdeck does: an HTTP service's path (DNS,
 * TCP, TLS, a GET of the URL its jobs GET, else of its base URL), else the probe of its runner: a command,
 * or the console's button.
 */
export type CheckWords = (service: string, kind: ExecutionType) => string;

export const CLI_CHECK: CheckWords = (service, kind) => (kind === 'http' ? `opsdeck test-connectivity ${service}` : `opsdeck health-check runner:${kind}`);

/** The Runners page's Diagnostics panel tests each HTTP service, and runs the health check of every runner kind. */
export const CONSOLE_CHECK: CheckWords = (service, kind) =>
  kind === 'http' ? `Test connectivity beside ${service} under Diagnostics on the Runners page` : `Run health check under Diagnostics on the Runners page (its runner:${kind})`;

/** What a breaker's advice needs of an interface: resetting it, and checking its service first. */
export interface BreakerWords {
  resetBreaker: ResetWords;
  checkByHand: CheckWords;
}

export const CLI_BREAKER_WORDS: BreakerWords = { resetBreaker: CLI_RESET, checkByHand: CLI_CHECK };

/**
 * A half-open breaker with no probe running stays half-open (and its breaker_open alert firing: the service
 * has not proved healthy) until a job of the service comes to probe it or an operator resets it. Said plainly:
 * since when, what it waits for, and how to check the service by hand first (`kind`: its execution type, null
 * when the registry here lacks it), in the words of the interface it is read in. Null for any other breaker.
 */
export function waitingForProbeText(
  breaker: Pick<BreakerRecord, 'service_name' | 'state' | 'mode' | 'probes_in_flight' | 'last_transition_at'>,
  kind: ExecutionType | null,
  words: BreakerWords,
  untried?: string,
): string | null {
  const waiting = waitingForProbe(breaker);
  return waiting === null ? null : `${waiting}: ${byHandAdvice(breaker.service_name, kind, words, untried)}`;
}

/** What waitingForProbeText says of the breaker, without the advice: the same in every interface. */
export function waitingForProbe(breaker: Pick<BreakerRecord, 'service_name' | 'state' | 'mode' | 'probes_in_flight' | 'last_transition_at'>): string | null {
  if (breaker.mode !== 'auto' || breaker.state !== 'half_open' || breaker.probes_in_flight > 0) return null;
  const since = breaker.last_transition_at === null ? '' : ` since ${breaker.last_transition_at}`;
  return `half-open${since}, waiting for a job of ${breaker.service_name} to probe it`;
}

/**
 * How to check a waiting breaker's service by hand, then close it, in an interface's words (`kind` null: the
 * registry here lacks it). `untried`: the method of an HTTP service's jobs that do not GET (untriedCall),
 * which the check never sends, so it cannot pass for them: what decides is the evidence it shows instead.
 */
export function byHandAdvice(service: string, kind: ExecutionType | null, words: BreakerWords, untried?: string): string {
  if (kind === null) return `check the service by hand, and once it passes, ${words.resetBreaker(service)} closes it`;
  const how = `check it by hand with ${words.checkByHand(service, kind)}`;
  if (untried === undefined) return `${how}, and once it passes, ${words.resetBreaker(service)} closes it`;
  return `${how}, which cannot pass for it, as it does not send its jobs' ${untried}: once the breaker's last error and the recent failures it shows say their cause is gone, ${words.resetBreaker(service)} closes it`;
}

/** The method of an HTTP service's jobs when a check by hand does not send it (anything but GET); undefined otherwise. */
export function untriedCall(service: ServiceConfig | undefined): string | undefined {
  if (service?.execution_type !== 'http' || service.runner_config.method === 'GET') return undefined;
  return service.runner_config.method;
}

/**
 * Whether a reset changes the breaker: it is open or half-open, forced, or holds failures, a probe or an
 * error that a reset clears. Successes alone are not cleared for their own sake: a closed breaker in auto
 * counting only them is already what a reset makes it, and resetting every breaker leaves it untouched.
 */
export function resetClears(breaker: BreakerRecord): boolean {
  return (
    breaker.state !== 'closed' ||
    breaker.mode !== 'auto' ||
    breaker.window_failures > 0 ||
    breaker.prev_failures > 0 ||
    breaker.probes_in_flight > 0 ||
    breaker.opened_at !== null ||
    breaker.left_closed_at !== null ||
    breaker.last_error !== null
  );
}

/**
 * Whether setting a breaker to `mode` changes it: a reset when it clears something (resetClears), any other
 * mode when the breaker is not in it already. Asked again, a mode keeps who set it, when and why.
 */
export function modeChanges(breaker: BreakerRecord, mode: BreakerMode | 'reset'): boolean {
  return mode === 'reset' ? resetClears(breaker) : breaker.mode !== mode;
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
    left_closed_at: null,
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
