import { RESET_TIMEOUT, type BreakerView } from '../../../shared/contract.ts';
import type { BreakerTuning } from '../../../shared/breakerTuning.ts';
import type { BreakerRecord } from '../../../shared/domain.ts';
import { untriedCall } from '../../../shared/breakerRecord.ts';
import { BreakerOverrides, effectiveBreaker } from '../../../shared/registry.ts';
import { breakerView } from '../../engine/breakerView.ts';
import type { ApiContext } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { assertServiceKnown } from '../knownService.ts';
import type { Handlers } from '../handlerTypes.ts';
import { rateLimitUse } from '../rateUse.ts';

function view(
  ctx: ApiContext,
  service: string,
  record: BreakerRecord | null,
  pending: Record<string, number>,
  now: Date,
  tuning: BreakerTuning | null,
): BreakerView {
  const config = ctx.registry.service(service);
  return breakerView(service, record, effectiveBreaker(config), pending[service] ?? 0, now, tuning, config?.execution_type ?? null, ctx.words, untriedCall(config));
}

/** A service the registry does not name and no breaker remembers is a typo, not a new breaker. */
async function assertKnown(ctx: ApiContext, service: string): Promise<void> {
  await assertServiceKnown(ctx, service, (await ctx.store.getBreaker(service)) !== null, 'breaker', async () => (await ctx.store.listBreakers()).map((r) => r.service_name));
}

/** Every breaker there is: the registry's services (one never tripped included) and every stored one. */
async function knownServices(ctx: ApiContext): Promise<string[]> {
  const stored = await ctx.store.listBreakers();
  return [...new Set([...ctx.registry.registry.services.map((s) => s.name), ...stored.map((r) => r.service_name)])].sort();
}

async function viewOf(ctx: ApiContext, service: string): Promise<BreakerView> {
  const [record, pending, tunings] = await Promise.all([ctx.store.getBreaker(service), ctx.store.pendingByService(), ctx.store.listBreakerTunings()]);
  return view(ctx, service, record, pending, new Date(), tunings.find((t) => t.service_name === service) ?? null);
}

export const breakers: Handlers<'breakers.list' | 'breakers.get' | 'breakers.setMode' | 'breakers.setModeAll' | 'breakers.tune'> = {
  /** Every registry service (one never tripped shows closed/auto) and every stored breaker. */
  'breakers.list': async (_input, ctx) => {
    const now = new Date();
    const [stored, pending, tunings, use] = await Promise.all([
      ctx.store.listBreakers(),
      ctx.store.pendingByService(),
      ctx.store.listBreakerTunings(),
      rateLimitUse(ctx),
    ]);
    const records = new Map(stored.map((r) => [r.service_name, r]));
    const tuned = new Map(tunings.map((t) => [t.service_name, t]));
    const rates = new Map(use.map((u) => [u.service_name, u]));
    const names = new Set([...ctx.registry.registry.services.map((s) => s.name), ...records.keys()].sort());
    // Current use of the rate limit beside the breaker: both decide whether a service's jobs start.
    const views = [...names].map((name) => ({ ...view(ctx, name, records.get(name) ?? null, pending, now, tuned.get(name) ?? null), rate: rates.get(name) ?? null }));
    return { breakers: views };
  },

  /** One row of breakers.list, its rate limit in use beside it. */
  'breakers.get': async (input, ctx) => {
    await assertKnown(ctx, input.service);
    const [breaker, use] = await Promise.all([viewOf(ctx, input.service), rateLimitUse(ctx)]);
    return { ...breaker, rate: use.find((u) => u.service_name === input.service) ?? null };
  },

  'breakers.setMode': async (input, ctx) => {
    await assertKnown(ctx, input.service);
    // The store writes the audit row with the change; a mode asked again is no change, and keeps who set it.
    const changed = (await ctx.store.setBreakerModeIfItChanges(input.service, input.mode, ctx.actor, input.reason ?? null)) !== null;
    return { ...(await viewOf(ctx, input.service)), changed };
  },

  'breakers.setModeAll': async (input, ctx) => {
    const services = await knownServices(ctx);
    const reason = input.reason ?? null;
    // Each one is its own audited change, as if set one by one; a breaker already as asked is none, and
    // keeps who set its mode, when and why.
    const changed: string[] = [];
    for (const service of services) {
      if ((await ctx.store.setBreakerModeIfItChanges(service, input.mode, ctx.actor, reason)) !== null) changed.push(service);
    }
    return { breakers: await Promise.all(services.map((service) => viewOf(ctx, service))), changed };
  },

  'breakers.tune': async (input, ctx) => {
    const { service, defaults, reason, reset_timeout: runbooks, ...given } = input;
    // Given both, which to keep would be a guess.
    if (runbooks !== undefined && given.recovery_timeout !== undefined) {
      const message = `${RESET_TIMEOUT}: give one of them, not both`;
      throw new ApiFailure('invalid_input', `breakers.tune: reset_timeout: ${message}`, [{ path: 'reset_timeout', message }]);
    }
    const settings = BreakerOverrides.parse(runbooks === undefined ? given : { ...given, recovery_timeout: runbooks });
    const keys = Object.keys(settings);
    if (defaults === (keys.length > 0)) {
      const message = defaults ? 'give either settings to tune or defaults, not both' : 'say what to tune (failure_threshold, recovery_timeout, …) or defaults';
      throw new ApiFailure('invalid_input', `breakers.tune: ${message}`, [{ path: '', message }]);
    }
    await assertKnown(ctx, service);
    // The store writes the audit row and tells every worker, in one transaction.
    const { changed } = await ctx.store.tuneBreaker(service, defaults ? null : settings, ctx.actor, reason ?? null);
    return { ...(await viewOf(ctx, service)), changed };
  },
};
