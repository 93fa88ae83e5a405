import type { ServiceGate } from '../../shared/rateLimit.ts';
import { periodMs } from '../../shared/rateLimit.ts';
import type { Registry } from '../../shared/registry.ts';

/** Asked before every claim: worked out once per loaded registry. */
const cache = new WeakMap<Registry, ServiceGate[]>();

/** The services with a `rate_limit` or a `max_concurrent`: the claim holds them to it across every worker. */
export function serviceGates(registry: Registry): ServiceGate[] {
  let gates = cache.get(registry);
  if (gates === undefined) {
    gates = registry.services
      .filter((s) => s.rate_limit !== undefined || s.max_concurrent !== undefined)
      .map((s) => ({
        service: s.name,
        limit: s.rate_limit?.limit ?? null,
        perMs: s.rate_limit === undefined ? 1000 : periodMs(s.rate_limit.per),
        maxConcurrent: s.max_concurrent ?? null,
      }));
    cache.set(registry, gates);
  }
  return gates;
}

/**
 * The gates of one claim: at most `free` jobs of a gated service (jobs of it are never claimed ahead of a
 * free slot, so each starts when its claim counted it), none of a service paused or left out.
 */
export function claimGates(gates: ServiceGate[], free: number, excluded: ReadonlySet<string>): { gates: ServiceGate[]; caps: Map<string, number> } {
  const open = gates.filter((g) => !excluded.has(g.service));
  return { gates: open, caps: new Map(open.map((g) => [g.service, Math.max(0, free)])) };
}
