import type { BreakerView } from '../../../shared/contract.ts';
import type { BreakerRecord } from '../../../shared/domain.ts';
import { effectiveBreaker } from '../../../shared/registry.ts';
import { breakerView } from '../../engine/breakerView.ts';
import type { ApiContext } from '../context.ts';
import { notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';

function view(ctx: ApiContext, service: string, record: BreakerRecord | null, pending: Record<string, number>, now: Date): BreakerView {
  return breakerView(service, record, effectiveBreaker(ctx.registry.service(service)), pending[service] ?? 0, now);
}

export const breakers: Handlers<'breakers.list' | 'breakers.setMode'> = {
  /** Every registry service (one never tripped shows closed/auto) and every stored breaker. */
  'breakers.list': async (_input, ctx) => {
    const now = new Date();
    const [stored, pending] = await Promise.all([ctx.store.listBreakers(), ctx.store.pendingByService()]);
    const records = new Map(stored.map((r) => [r.service_name, r]));
    const names = new Set([...ctx.registry.registry.services.map((s) => s.name), ...records.keys()]);
    const views = [...names].sort().map((name) => view(ctx, name, records.get(name) ?? null, pending, now));
    return { breakers: views };
  },

  'breakers.setMode': async (input, ctx) => {
    if (ctx.registry.loadedAt !== null && !ctx.registry.service(input.service) && !(await ctx.store.getBreaker(input.service))) {
      const known = ctx.registry.registry.services.map((s) => s.name).join(', ') || 'none';
      throw notFound(`service ${input.service} is not in the registry and has no breaker (known: ${known})`);
    }
    // The store writes the audit row with the change.
    const record = await ctx.store.setBreakerMode(input.service, input.mode, ctx.actor, input.reason ?? null);
    return view(ctx, input.service, record, await ctx.store.pendingByService(), new Date());
  },
};
