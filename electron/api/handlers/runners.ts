import type { ExecutionType } from '../../../shared/domain.ts';
import type { ApiContext } from '../context.ts';
import type { Handlers } from '../handlerTypes.ts';
import { probeAll } from '../probes.ts';
import { withOpenBreakers } from '../breakersCheck.ts';

/** Jobs running now per kind, across every worker on the store (this process's engine included). */
async function inFlightByKind(ctx: ApiContext): Promise<Map<ExecutionType, number>> {
  const byService = await ctx.store.runningByService();
  const kindOf = new Map<string, ExecutionType>();
  for (const job of ctx.engine?.inFlight() ?? []) kindOf.set(job.service, job.kind);
  for (const s of ctx.registry.registry.services) kindOf.set(s.name, s.execution_type);
  const out = new Map<ExecutionType, number>();
  for (const [service, n] of Object.entries(byService)) {
    const kind = kindOf.get(service);
    if (kind) out.set(kind, (out.get(kind) ?? 0) + n);
  }
  return out;
}

export const runners: Handlers<'runners.list'> = {
  'runners.list': async (_input, ctx) => {
    const [probes, inFlight, breakers] = await Promise.all([probeAll(ctx), inFlightByKind(ctx), ctx.store.listBreakers()]);
    const kindOf = (service: string) => ctx.registry.service(service)?.execution_type;
    // As health-check's runner checks say it: a probe answering while a service's breaker is open warns.
    return {
      runners: probes.map((p) => {
        const { warning, detail } = withOpenBreakers({ name: p.kind, ok: p.healthy, ...(p.warning ? { warning: true } : {}), detail: p.detail }, p.kind, breakers, kindOf);
        return { ...p, ...(warning ? { warning } : {}), detail, in_flight: inFlight.get(p.kind) ?? 0 };
      }),
    };
  },
};
