import type { RateLimitView } from '../../../shared/rateLimitTuning.ts';
import { RateLimitOverrides, tuningProblem, ungatedView } from '../../../shared/rateLimitTuning.ts';
import { serviceGates } from '../../engine/serviceGates.ts';
import type { ApiContext } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { assertServiceKnown } from '../knownService.ts';
import { noRegistryLoaded } from '../noRegistry.ts';
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
    // The budget in force is the registry's with the tuning on top: without the registry, neither a scale
    // nor the numbers the audit keeps can be known.
    if (!defaults && ctx.registry.loadedAt === null) {
      throw refused(`the budget in force for ${service} is not known here: ${noRegistryLoaded(ctx.words)}`);
    }
    const current = await viewOf(ctx, service);
    await assertServiceKnown(ctx, service, current.tuning !== null, 'rate limit tuning');
    if (!defaults) {
      const problem = tuningProblem(service, current, settings, scale);
      if (problem) throw refused(problem);
    }
    const registryGate = serviceGates(ctx.registry.registry).find((g) => g.service === service) ?? null;
    const change = defaults ? { settings: null } : scale === undefined ? { settings } : { scale };
    // Decided by the store under its lock: two operators at once are taken one after the other, a repeat
    // changes nothing, and the audit row keeps the budget in force before and after.
    const { changed } = await ctx.store.tuneRateLimit(service, change, registryGate, ctx.actor, reason ?? null);
    return { ...(await viewOf(ctx, service)), changed };
  },
};
