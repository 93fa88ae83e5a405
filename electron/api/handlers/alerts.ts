import { alertText, type AlertEvent, type AlertState } from '../../../shared/alerts.ts';
import type { ApiContext } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { alertRuleSet } from '../../engine/alertRuleSet.ts';
import { parseAlertRule } from '../../config/alertRuleFile.ts';
import { checkedEnv } from '../hostHidden.ts';

/**
 * Rules come from the registry (read-only here); their state and history from the store. A rule is known
 * when this host's registry names it or the fleet's evaluator has recorded a state for it.
 */
async function stateOf(ctx: ApiContext, name: string): Promise<AlertState> {
  const state = (await ctx.store.listAlertStates()).find((s) => s.rule === name);
  if (state) return state;
  const rules = (await alertRuleSet(ctx.store, ctx.registry.registry)).map((r) => r.rule.name);
  if (rules.includes(name)) throw conflict(`alert ${name} has not been evaluated yet: a worker or console evaluates the fleet's alerts every 15 s`);
  throw notFound(`no alert named ${name} (known: ${rules.join(', ') || 'none'})`);
}

/** A state or event as this interface shows it: its advice in the words of whoever asked. */
function worded<T extends AlertState | AlertEvent>(ctx: ApiContext, item: T): T {
  return { ...item, summary: alertText(item.summary, item.advice, ctx.words) };
}

/** A rule of the registry file is changed there, never in the store: the file is what the fleet runs. */
function refuseRegistryRule(ctx: ApiContext, name: string): void {
  if ((ctx.registry.registry.alerts ?? []).some((r) => r.name === name)) {
    throw conflict(`alert ${name} is defined in the registry file${ctx.registry.path ? ` ${ctx.registry.path}` : ''}: change it there`);
  }
}

export const alerts: Handlers<'alerts.list' | 'alerts.history' | 'alerts.ack' | 'alerts.silence' | 'alerts.checkRule' | 'alerts.saveRule' | 'alerts.deleteRule'> = {
  'alerts.list': async (_input, ctx) => {
    const [states, rules] = await Promise.all([ctx.store.listAlertStates(), alertRuleSet(ctx.store, ctx.registry.registry)]);
    const stateOfRule = new Map(states.map((s) => [s.rule, worded(ctx, s)]));
    const known = new Set(rules.map((r) => r.rule.name));
    const views = [
      ...rules.map(({ rule, source }) => ({ name: rule.name, rule, source, state: stateOfRule.get(rule.name) ?? null })),
      ...states.filter((s) => !known.has(s.rule)).map((state) => ({ name: state.rule, rule: null, source: null, state: worded(ctx, state) })),
    ];
    return { alerts: views, firing: views.filter((v) => v.state?.firing).length };
  },

  'alerts.history': async (input, ctx) => {
    const page = await ctx.store.listAlertEvents(input.rule === undefined ? {} : { rule: input.rule }, { limit: input.limit, after: input.after ?? null });
    return { events: page.items.map((event) => worded(ctx, event)), next_cursor: page.next_cursor };
  },

  'alerts.ack': async (input, ctx) => {
    await stateOf(ctx, input.rule);
    // The store writes the audit row with the acknowledgement.
    const acked = await ctx.store.ackAlert(input.rule, input.note, ctx.actor);
    if (acked) return worded(ctx, acked);
    throw conflict(`alert ${input.rule} is not firing: there is nothing to acknowledge`);
  },

  'alerts.silence': async (input, ctx) => {
    await stateOf(ctx, input.rule);
    const until = input.minutes === 0 ? null : new Date(Date.now() + input.minutes * 60_000);
    const state = await ctx.store.silenceAlert(input.rule, until, ctx.actor, input.reason ?? null);
    if (!state) throw notFound(`alert ${input.rule} has no state`);
    return worded(ctx, state);
  },

  // The console's rule editor: the same reading, advice and warnings as alerts save-rule gives a file.
  'alerts.checkRule': async (input, ctx) => {
    const services = ctx.registry.loadedAt === null ? null : new Set(ctx.registry.registry.services.map((s) => s.name));
    return parseAlertRule(input.text, checkedEnv(ctx), services);
  },

  'alerts.saveRule': async (input, ctx) => {
    refuseRegistryRule(ctx, input.rule.name);
    // The store writes the audit row (the rule before and after) with the change.
    return ctx.store.saveAlertRule(input.rule, ctx.actor);
  },

  'alerts.deleteRule': async (input, ctx) => {
    refuseRegistryRule(ctx, input.name);
    if (!(await ctx.store.deleteAlertRule(input.name, ctx.actor))) throw notFound(`no alert rule named ${input.name} was written in the console`);
    return { deleted: true };
  },
};
