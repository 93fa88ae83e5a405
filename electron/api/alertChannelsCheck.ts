import type { AlertEvent } from '../../shared/alerts.ts';
import type { HealthCheck } from '../../shared/domain.ts';
import { channelName } from '../engine/alertDelivery.ts';
import { alertRuleSet } from '../engine/alertRuleSet.ts';
import { unsetIn } from '../runners/notSetHere.ts';
import { evaluatesAlerts, processWords } from './answeredBy.ts';
import type { AnsweredBy, ApiContext } from './context.ts';

/**
 * Health-check's alerts check: each webhook and Slack channel of the rules in force (the registry's and the
 * console's), whether its URL variable is set in the process checking, and what the store knows of whether the
 * fleet's deliveries through it work: the last one recorded, sent by whichever process evaluated the alerts.
 * A variable missing from a command's or the API server's process is no outage (the workers evaluate
 * alerts, perhaps on other machines); a last delivery that failed is one, whatever this process holds.
 */

/** A rule's history holds a transition and a delivery per channel each time it fires or resolves: enough to find each channel's last. */
const EVENTS_READ = 200;

interface ChannelUse {
  rule: string;
  channel: string;
  variable: string;
  setHere: boolean;
  /** The last delivery through it the store recorded, made or failed; null when none is among the rule's recent events. */
  last: AlertEvent | null;
}

interface Finding {
  warn: boolean;
  /** The variable is not set here, though nothing says the evaluating process lacks it. */
  unset: boolean;
  text: string;
}

async function channelUses(ctx: ApiContext): Promise<ChannelUse[]> {
  const uses: ChannelUse[] = [];
  for (const { rule } of await alertRuleSet(ctx.store, ctx.registry.registry)) {
    const sent = rule.channels.flatMap((channel) => (channel.type === 'desktop' ? [] : [{ channel: channelName(channel), variable: channel.url_env_var }]));
    if (sent.length === 0) continue;
    const events = (await ctx.store.listAlertEvents({ rule: rule.name }, { limit: EVENTS_READ, after: null })).items;
    for (const { channel, variable } of sent) {
      const last = events.find((e) => e.channel === channel && (e.kind === 'delivered' || e.kind === 'delivery_failed')) ?? null;
      uses.push({ rule: rule.name, channel, variable, setHere: ctx.env[variable] !== undefined, last });
    }
  }
  return uses;
}

/** Where the variable is missing, by the process checking: one that evaluates the alerts itself cannot send the channel. */
function channelUnset(use: ChannelUse, by: AnsweredBy | undefined): string {
  const unset = unsetIn(use.variable, processWords(by));
  return evaluatesAlerts(by)
    ? `${unset}, which evaluates the alerts whenever it holds the store's lease: it cannot send this channel then`
    : `${unset}, which sends no alerts: the workers that evaluate alerts need it in their own environment`;
}

function lastDelivery(last: AlertEvent | null): string {
  if (last === null) return 'no delivery through it is recorded yet, so whether the workers have it is not known';
  if (last.kind === 'delivered') return `its last delivery succeeded (${last.at}): the process that sent it has it`;
  return `its last delivery failed (${last.at}); the evaluating process said: ${last.summary}`;
}

function finding(use: ChannelUse, by: AnsweredBy | undefined): Finding {
  const failed = use.last?.kind === 'delivery_failed';
  const text = use.setHere ? lastDelivery(use.last) : `${channelUnset(use, by)}; ${lastDelivery(use.last)}`;
  return { warn: failed || (!use.setHere && use.last?.kind !== 'delivered'), unset: !use.setHere, text: `rule ${use.rule}, ${use.channel}: ${text}` };
}

export async function alertChannelsCheck(ctx: ApiContext): Promise<HealthCheck> {
  const uses = await channelUses(ctx);
  if (uses.length === 0) return { name: 'alerts', ok: true, detail: 'no alert rule sends to a webhook or Slack' };
  const findings = uses.map((use) => finding(use, ctx.answeredBy));
  const warnings = findings.filter((f) => f.warn);
  const [first] = warnings;
  if (first) {
    const more = warnings.length > 1 ? ` (and ${warnings.length - 1} more: ${ctx.words.call('alerts.history')})` : '';
    return { name: 'alerts', ok: true, warning: true, detail: `${first.text}${more}` };
  }
  const unsetButSent = findings.find((f) => f.unset);
  const channels = `${uses.length} webhook or Slack channel(s) of alert rules, none with a failed last delivery`;
  return { name: 'alerts', ok: true, detail: unsetButSent ? `${channels}; ${unsetButSent.text}` : channels };
}
