import type { ServiceConfig } from '../../shared/registry.ts';
import { cannotRunHere } from './cannotRunHere.ts';
import type { DispatcherOptions } from './dispatcherOptions.ts';
import type { Running } from './running.ts';

/**
 * What decides that a job claimed ahead of a free slot (short jobs only, see ClaimSizer: leased, not
 * started) goes back unstarted, attempt not spent, rather than start here. Pure: the dispatcher says how
 * the worker stands, and hands back what this names.
 */

/** How this worker stands now, as the screening reads it. */
export interface AheadGates {
  /** Whether the service's breaker lets no job through now (open). */
  breakerOpen(service: string): boolean;
  /** Whether an upstream's 429 paused the service for the fleet. */
  paused(service: string): boolean;
  /** Whether the last look found this Docker service's daemon certainly away (CannotRunCheck.daemonAway). */
  daemonAway(service: ServiceConfig): boolean;
}

/** How the worker stands at `now` by its breakers, pauses and looks. */
export function gatesAt(opts: Pick<DispatcherOptions, 'breakers' | 'pauses' | 'daemonAway'>, now: Date): AheadGates {
  const { breakers, pauses, daemonAway } = opts;
  return {
    breakerOpen: (service) => breakers.allowance(service, now) === 0,
    paused: (service) => pauses.isPaused(service, now),
    daemonAway,
  };
}

/** Why a job goes back whose breaker lets none through. */
export const BREAKER_OPEN = 'circuit breaker open';

/** Whether the last look found this job's Docker daemon certainly away: one map lookup. */
export function daemonAwayFor(running: Running, daemonAway: AheadGates['daemonAway']): boolean {
  return running.service !== undefined && daemonAway(running.service);
}

/** Why a job claimed ahead goes back as a slot frees for it; null: it starts. */
export function whyNotStart(running: Running, gates: AheadGates): string | null {
  const service = running.job.service_name;
  if (gates.breakerOpen(service)) return BREAKER_OPEN;
  // Claimed ahead before its upstream answered 429: it goes back and waits out the pause.
  if (gates.paused(service)) return 'paused: the upstream asked to wait (429)';
  // Claimed ahead before a look found its Docker daemon away (leftOut hands those back as the look
  // answers; this is its backstop): here it would fail, where a worker whose daemon answers runs it.
  if (daemonAwayFor(running, gates.daemonAway)) return cannotRunHere(service);
  return null;
}

/**
 * The jobs claimed ahead whose service this worker now leaves out of its claims (`declined`, or its Docker
 * daemon found away), each with why it goes back: at once, rather than stay leased here, shown running,
 * until a slot frees while a worker that can run them sits idle.
 */
export function leftOut(ahead: Iterable<Running>, declined: ReadonlySet<string>, daemonAway: AheadGates['daemonAway']): Array<{ running: Running; reason: string }> {
  return [...ahead]
    .filter((running) => declined.has(running.job.service_name) || daemonAwayFor(running, daemonAway))
    .map((running) => ({ running, reason: cannotRunHere(running.job.service_name) }));
}
