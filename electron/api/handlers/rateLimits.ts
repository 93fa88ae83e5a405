import { isDeepStrictEqual } from 'node:util';
import type { RateLimitView } from '../../../shared/rateLimitTuning.ts';
import { budgetOf, RateLimitOverrides, scaledBudget, tunedGate, tuningProblem, ungatedView } from '../../../shared/rateLimitTuning.ts';
import { serviceGates } from '../../engine/serviceGates.ts';
import type { ApiContext } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { assertServiceKnown } from '../knownService.ts';
import { rateLimitUse } from '../rateUse.ts';

/** The service's budget in use now; a service nothing gates shows as having none. */
async function viewOf(ctx: ApiContext, service: string): Promise<RateLimitView> {
  return (await rateLimitUse(ctx)).find((u) => u.service_name === service) ?? ungatedView(service);
}

function refused(message: string): ApiFailure {
  return new ApiFailure('invalid_input', message, [{ path: '', message }]);
}

export const rateLimits: Handlers<'rateLimits.list' | 'rateLimits.tune'> = {
  'rateLimits.list': async (_input, ctx) => ({ services: await rateLimitUse(ctx) }),

  'rateLimits.tune': async (input, ctx) => {
    const { service, defaults, scale, reason, ...given } = input;
    const settings = RateLimitOverrides.parse(given);
    const changes = Object.keys(settings).length > 0 || scale !== undefined;
    if (defaults === changes) {
      throw refused(defaults ? 'give either new numbers or defaults, not both' : 'say what to set (limit and per, max_concurrent, or scale) or defaults');
    }
    const current = await viewOf(ctx, service);
    await assertServiceKnown(ctx, service, current.tuning !== null, 'rate limit tuning');
    if (!defaults) {
      const problem = tuningProblem(service, current, settings, scale);
      if (problem) throw refused(problem);
    }
    const next = defaults ? null : scale === undefined ? settings : scaledBudget(current, scale);
    const merged = next === null ? null : { ...current.tuning?.settings, ...next };
    // A repeat (the same numbers, a second --defaults) changes nothing and is not audited as a change.
    if (merged === null ? current.tuning === null : isDeepStrictEqual(merged, current.tuning?.settings)) return { ...current, changed: false };
    const registryGate = serviceGates(ctx.registry.registry).find((g) => g.service === service);
    const after = budgetOf(merged === null ? registryGate : tunedGate(service, registryGate, merged));
    const before = current.limit === null && current.max_concurrent === null ? null : { limit: current.limit, per_ms: current.limit === null ? null : current.per_ms, max_concurrent: current.max_concurrent };
    // The store writes the audit row, with the budget in force before and after, and tells every worker, in one transaction.
    await ctx.store.tuneRateLimit(service, next, ctx.actor, reason ?? null, { before, after });
    return { ...(await viewOf(ctx, service)), changed: true };
  },
};
