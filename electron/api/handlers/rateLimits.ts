import type { RateLimitView } from '../../../shared/rateLimitTuning.ts';
import { RateLimitOverrides, scaledBudget, tuningProblem, ungatedView } from '../../../shared/rateLimitTuning.ts';
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
    // The store writes the audit row and tells every worker, in one transaction.
    await ctx.store.tuneRateLimit(service, next, ctx.actor, reason ?? null);
    return viewOf(ctx, service);
  },
};
