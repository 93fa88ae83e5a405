import type { AlertState } from '../../../shared/alerts.ts';
import type { ApiContext } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { rateLimitUse } from '../rateUse.ts';

/**
 * Rules come from the registry (read-only here); their state and history from the store. A rule is known
 * when this host's registry names it or the fleet's evaluator has recorded a state for it.
 */
async function stateOf(ctx: ApiContext, name: string): Promise<AlertState> {
  const state = (await ctx.store.listAlertStates()).find((s) => s.rule === name);
  if (state) return state;
  const rules = ctx.registry.registry.alerts ?? [];
  if (rules.some((r) => r.name === name)) throw conflict(`alert ${name} has not been evaluated yet: a worker or console evaluates the fleet's alerts every 15 s`);
  throw notFound(`no alert named ${name} (known: ${rules.map((r) => r.name).join(', ') || 'none'})`);
}

export const alerts: Handlers<'alerts.list' | 'alerts.history' | 'alerts.ack' | 'alerts.silence' | 'rateLimits.list'> = {
  'alerts.list': async (_input, ctx) => {
    const states = new Map((await ctx.store.listAlertStates()).map((s) => [s.rule, s]));
    const rules = ctx.registry.registry.alerts ?? [];
    const known = new Set(rules.map((r) => r.name));
    const views = [
      ...rules.map((rule) => ({ name: rule.name, rule, state: states.get(rule.name) ?? null })),
      ...[...states.values()].filter((s) => !known.has(s.rule)).map((state) => ({ name: state.rule, rule: null, state })),
    ];
    return { alerts: views, firing: views.filter((v) => v.state?.firing).length };
  },

  'alerts.history': async (input, ctx) => {
    const page = await ctx.store.listAlertEvents(input.rule === undefined ? {} : { rule: input.rule }, { limit: input.limit, after: input.after ?? null });
    return { events: page.items, next_cursor: page.next_cursor };
  },

  'alerts.ack': async (input, ctx) => {
    await stateOf(ctx, input.rule);
    // The store writes the audit row with the acknowledgement.
    const acked = await ctx.store.ackAlert(input.rule, input.note, ctx.actor);
    if (acked) return acked;
    throw conflict(`alert ${input.rule} is not firing: there is nothing to acknowledge`);
  },

  'alerts.silence': async (input, ctx) => {
    await stateOf(ctx, input.rule);
    const until = input.minutes === 0 ? null : new Date(Date.now() + input.minutes * 60_000);
    const state = await ctx.store.silenceAlert(input.rule, until, ctx.actor, input.reason ?? null);
    if (!state) throw notFound(`alert ${input.rule} has no state`);
    return state;
  },

  'rateLimits.list': async (_input, ctx) => ({ services: await rateLimitUse(ctx) }),
};
