import type { Registry } from '../../shared/registry.ts';
import type { ClaimedJob, ClaimRequest, Store } from '../store/store.ts';
import type { BreakerKeeper } from './breakerKeeper.ts';
import { claimGates, serviceGates } from './serviceGates.ts';

export interface ClaimScope {
  request: Pick<ClaimRequest, 'excludeServices' | 'serviceCaps' | 'gates'>;
  /** Room left under each service's `concurrency` (how many of its jobs run fleet-wide), where it is below the free slots. */
  rooms: Map<string, number>;
  /** A `max_concurrent` gate applies: the store counts its room inside the claim. */
  gatedByRunning: boolean;
}

/**
 * Whether how many jobs of a service run held this claim back: a service had no room, or the claim took
 * all the room it had, or a max_concurrent gate applied. Then one of its jobs finishing anywhere frees
 * room, though it readies no job, and the claim is worth trying again (Dispatcher.jobsChanged).
 */
export function heldByRunning(scope: ClaimScope, claimed: ReadonlyArray<Pick<ClaimedJob, 'service_name'>>): boolean {
  if (scope.gatedByRunning) return true;
  for (const [service, room] of scope.rooms) {
    if (room <= 0 || claimed.filter((job) => job.service_name === service).length >= room) return true;
  }
  return false;
}

/**
 * The services a claim must leave out or cap: those whose breaker holds their jobs or lets only a few
 * probes through, those paused by an upstream's 429, those already at their concurrency across every
 * worker sharing the store; and the gates (rate limits, max_concurrent, as the registry says or an
 * operator tuned them) the store holds inside the claim, each capped at the `free` slots.
 */
export async function claimScope(
  store: Store,
  registry: Registry,
  breakers: BreakerKeeper,
  now: Date,
  paused: string[] = [],
  free: number = Number.POSITIVE_INFINITY,
): Promise<ClaimScope> {
  const { blocked, limited } = breakers.gates(now);
  const exclude = new Set([...blocked, ...paused]);
  const caps = new Map(limited);
  const gated = claimGates(breakers.rateGates(serviceGates(registry)), free, exclude);
  for (const [service, cap] of gated.caps) caps.set(service, Math.min(caps.get(service) ?? cap, cap));
  const rooms = new Map<string, number>();
  const capped = registry.services.filter((s) => s.concurrency !== undefined && !exclude.has(s.name));
  if (capped.length > 0) {
    const running = await store.runningByService();
    for (const service of capped) {
      const room = (service.concurrency ?? 0) - (running[service.name] ?? 0);
      if (room < free) rooms.set(service.name, room);
      if (room <= 0) exclude.add(service.name);
      else caps.set(service.name, Math.min(caps.get(service.name) ?? room, room));
    }
  }
  for (const service of exclude) caps.delete(service);
  const gates = gated.gates.filter((g) => !exclude.has(g.service));
  return {
    request: {
      ...(exclude.size > 0 ? { excludeServices: [...exclude] } : {}),
      ...(caps.size > 0 ? { serviceCaps: Object.fromEntries(caps) } : {}),
      ...(gates.length > 0 ? { gates } : {}),
    },
    rooms,
    gatedByRunning: gates.some((g) => g.maxConcurrent !== null),
  };
}
