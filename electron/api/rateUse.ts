import type { RateUse, ServiceGate } from '../../shared/rateLimit.ts';
import { serviceGates } from '../engine/serviceGates.ts';
import type { ApiContext } from './context.ts';

/**
 * Each service's rate limit, max_concurrent and upstream pause in use now: the registry's gates, and any
 * service an upstream paused though it has no gate. Read from the starts log, the kept counts and the
 * pauses, never from the job history: what the Breakers page, `opsdeck breaker list`, `rateLimits.list`
 * and a metrics exporter show.
 */
export async function rateLimitUse(ctx: Pick<ApiContext, 'store' | 'registry'>): Promise<RateUse[]> {
  const gates = serviceGates(ctx.registry.registry);
  const gated = new Set(gates.map((g) => g.service));
  const paused = (await ctx.store.listServicePauses()).filter((p) => !gated.has(p.service_name));
  const all: ServiceGate[] = [...gates, ...paused.map((p) => ({ service: p.service_name, limit: null, perMs: 1000, maxConcurrent: null }))];
  return ctx.store.rateUse(all.sort((a, b) => a.service.localeCompare(b.service)));
}
