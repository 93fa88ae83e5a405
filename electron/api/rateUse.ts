import type { ServiceGate } from '../../shared/rateLimit.ts';
import { budgetOf, tunedGates, type RateLimitView } from '../../shared/rateLimitTuning.ts';
import { serviceGates } from '../engine/serviceGates.ts';
import type { ApiContext } from './context.ts';

/**
 * Each service's rate limit, max_concurrent and upstream pause in use now: the registry's gates with
 * operators' run-time tunings laid over them, and any service an upstream paused though it has no gate.
 * Read from the starts log, the kept counts and the pauses, never from the job history: what the Breakers
 * page, `opsdeck breaker list`, `opsdeck rate-limit list`, `rateLimits.list` and a metrics exporter show.
 */
export async function rateLimitUse(ctx: Pick<ApiContext, 'store' | 'registry'>): Promise<RateLimitView[]> {
  const registryGates = serviceGates(ctx.registry.registry);
  const [tunings, pauses] = await Promise.all([ctx.store.listRateLimitTunings(), ctx.store.listServicePauses()]);
  const gates = tunedGates(registryGates, tunings);
  const gated = new Set(gates.map((g) => g.service));
  const paused = pauses.filter((p) => !gated.has(p.service_name));
  const all: ServiceGate[] = [...gates, ...paused.map((p) => ({ service: p.service_name, limit: null, perMs: 1000, maxConcurrent: null }))];
  const uses = await ctx.store.rateUse(all.sort((a, b) => a.service.localeCompare(b.service)));
  const registry = new Map(registryGates.map((g) => [g.service, g]));
  const tuned = new Map(tunings.map((t) => [t.service_name, t]));
  return uses.map((use) => ({ ...use, registry: budgetOf(registry.get(use.service_name)), tuning: tuned.get(use.service_name) ?? null }));
}
