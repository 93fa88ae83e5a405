import type { ServiceConfig } from '../../shared/registry.ts';
import { cannotRunHere } from './cannotRunHere.ts';
import type { DispatcherOptions } from './dispatcherOptions.ts';
import type { ForeignServices } from './foreignServices.ts';
import type { Running } from './running.ts';

/**
 * What decides that a job claimed ahead of a free slot (short jobs only, see ClaimSizer: leased, not
 * started), or granted a breaker's probe slot, goes back unstarted, attempt not spent, rather than start
 * here, and the settings it starts with: those of the registry in use, never the ones it was claimed
 * under. The decisions read only the gates they are given; the gates (gatesAt) read the worker's live
 * state as they are asked, and one acts: a job whose service the registry names no more leaves that service
 * out of the claims from then on, and logs it (`gone`). The dispatcher hands back what this names.
 */

/** How this worker stands now, as the screening reads it. */
export interface AheadGates {
  /** Whether the service's breaker lets no job through now (open). */
  breakerOpen(service: string): boolean;
  /** Whether an upstream's 429 paused the service for the fleet. */
  paused(service: string): boolean;
  /** The service's settings in the registry in use; undefined once it names the service no more. */
  settings(service: string): ServiceConfig | undefined;
  /** Whether this worker's claims under the registry in use leave the service out (a variable unset here, its daemon away). */
  declined(service: string): boolean;
  /** Whether the last look found this Docker service's daemon certainly away (CannotRunCheck.daemonAway). */
  daemonAway(service: ServiceConfig): boolean;
  /** Why a job goes back whose service the registry in use names no more; not a question: the claims leave the service out from then on, and it is logged (ForeignServices.leaveOut). */
  gone(service: string): string;
}

/** A job goes back unstarted (`back`: why), or starts with `service`: its settings in the registry in use. */
export type Screened = { back: string } | { service: ServiceConfig };

/** Why a job goes back whose breaker lets none through. */
export const BREAKER_OPEN = 'circuit breaker open';

/**
 * How the worker stands at `now` by its registry, breakers, pauses and looks, each read when asked. What
 * its claims leave out is worked out once, when first asked, for every job these gates screen: each one
 * that its breaker or a pause has not sent back already, of a service the registry still names, asks it.
 */
export function gatesAt(opts: Pick<DispatcherOptions, 'registry' | 'breakers' | 'pauses' | 'declined' | 'daemonAway' | 'log'>, foreign: ForeignServices, now: Date): AheadGates {
  const { registry, breakers, pauses, daemonAway, log } = opts;
  let declined: ReadonlySet<string> | null = null;
  return {
    breakerOpen: (service) => breakers.allowance(service, now) === 0,
    paused: (service) => pauses.isPaused(service, now),
    settings: (service) => registry.service(service),
    declined: (service) => (declined ??= new Set(opts.declined(registry.registry))).has(service),
    daemonAway,
    gone: (service) => foreign.leaveOut(service, registry.registry, log),
  };
}

/**
 * A job under the registry in use: back when it names its service no more, or this worker leaves the
 * service out of its claims (a variable unset here, its Docker daemon found away, by its settings now);
 * otherwise the settings it runs with.
 */
export function underRegistryInUse(running: Running, gates: AheadGates): Screened {
  const name = running.job.service_name;
  const service = gates.settings(name);
  if (service === undefined) return { back: gates.gone(name) };
  if (gates.declined(name) || gates.daemonAway(service)) return { back: cannotRunHere(name) };
  return { service };
}

/**
 * A job its breaker lets through about to start (a slot freed for it, or the store granted it a half-open
 * breaker's probe slot): back, or the settings it starts with. The breaker is not asked again: a probe's
 * granted slot is what makes its allowance 0.
 */
export function pastTheBreaker(running: Running, gates: AheadGates): Screened {
  // Claimed before its upstream answered 429: it goes back and waits out the pause.
  if (gates.paused(running.job.service_name)) return { back: 'paused: the upstream asked to wait (429)' };
  // Claimed before a look found its Docker daemon away or a reload took (leftOut hands jobs claimed ahead
  // back as they come; this is its backstop): here it would fail, or run as its registry no longer says.
  return underRegistryInUse(running, gates);
}

/** A job claimed ahead as a slot frees for it: back, or the settings it starts with. */
export function whyNotStart(running: Running, gates: AheadGates): Screened {
  if (gates.breakerOpen(running.job.service_name)) return { back: BREAKER_OPEN };
  return pastTheBreaker(running, gates);
}

/**
 * The jobs claimed ahead once what this worker's claims leave out changed (a look found a Docker daemon
 * away, a reload took): those it leaves out now go back at once, rather than stay leased here, shown
 * running, until a slot frees while a worker that can run them sits idle. The rest stay; each takes its
 * settings as it starts (whyNotStart), so one place decides them whatever changed since.
 */
export function leftOut(ahead: Iterable<Running>, gates: AheadGates): Array<{ running: Running; reason: string }> {
  return [...ahead].flatMap((running) => {
    const screened = underRegistryInUse(running, gates);
    return 'back' in screened ? [{ running, reason: screened.back }] : [];
  });
}
