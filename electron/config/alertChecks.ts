import { AlertRule } from '../../shared/alerts.ts';
import type { RawProblem } from './checks.ts';
import { hostCheck, type HostEnv } from './hostEnv.ts';
import { checkAsLikelyKind } from './likelyKind.ts';
import { unsetIn } from '../runners/notSetHere.ts';

/**
 * Alert rules beyond the schema, as warnings (the registry still loads): a channel whose URL variable is
 * not set where this check ran (only the evaluating process needs it: a laptop may not hold it), and a rule
 * that names a service the registry does not have (a typo would leave it quiet for ever).
 */
export function alertChecks(value: unknown, env: HostEnv): RawProblem[] {
  const rawServices: unknown = isObject(value) ? value.services : undefined;
  const rawAlerts: unknown = isObject(value) ? value.alerts : undefined;
  const services = new Set((Array.isArray(rawServices) ? rawServices : []).map((s: unknown) => (isObject(s) ? s.name : undefined)));
  // Rule by rule: a broken rule (reported by the schema) does not hide the others' problems, and one whose
  // kind is missing or unknown is checked as the kind it most likely means.
  const rules: unknown[] = Array.isArray(rawAlerts) ? rawAlerts : [];
  return rules.flatMap((item: unknown, i) => {
    const parsed = AlertRule.safeParse(item);
    if (!parsed.success) return checkAsLikelyKind(rules, i);
    return alertRuleChecks(parsed.data, services, env).map((problem) => ({ ...problem, path: ['alerts', i, ...problem.path] }));
  });
}

/**
 * One rule's problems beyond the schema, at paths within the rule. `services`: the registry's names, or
 * null where no registry is at hand to check the rule's service against.
 */
export function alertRuleChecks(rule: AlertRule, services: ReadonlySet<unknown> | null, env: HostEnv): RawProblem[] {
  return [...(services ? unknownService(rule, services) : []), ...unsetChannels(rule, env)];
}

/** A rule for a service the registry does not have: a typo would leave it quiet for ever. */
export function unknownService(rule: AlertRule, services: ReadonlySet<unknown>): RawProblem[] {
  if (!('service' in rule) || rule.service === undefined || services.has(rule.service)) return [];
  return [{ path: ['service'], message: `service ${rule.service} is not in this registry: the rule will never fire`, severity: 'warning' }];
}

/**
 * Channels whose URL variable is not set here. Said as what it is: the environment that lacks it is this
 * one (an operator's shell, often), and the one that needs it is the evaluating process's, which may be on
 * another machine; "cannot be sent" read as an outage that may not exist.
 */
function unsetChannels(rule: AlertRule, env: HostEnv): RawProblem[] {
  return rule.channels.flatMap((channel, c): RawProblem[] => {
    if (channel.type === 'desktop') return [];
    const variable = channel.url_env_var;
    return hostCheck(env, ['channels', c, 'url_env_var'], `variable ${variable}`, (vars) => (vars[variable] === undefined ? unsetChannelVariable(variable) : null));
  });
}

function unsetChannelVariable(variable: string): string {
  return `${unsetIn(variable)}: whichever process evaluates the alerts (a worker, opsdeck serve or the desktop) needs it in its own to send this channel; a shell that only checks or edits rules does not`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
