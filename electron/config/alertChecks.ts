import { AlertRule } from '../../shared/alerts.ts';
import type { RawProblem } from './checks.ts';
import { checkAsLikelyKind } from './likelyKind.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Alert rules beyond the schema, as warnings (the registry still loads): a channel whose URL variable is
 * not set on this machine (only the evaluating process needs it: a laptop may not hold it), and a rule
 * that names a service the registry does not have (a typo would leave it quiet for ever).
 */
export function alertChecks(value: unknown, env: Env): RawProblem[] {
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
export function alertRuleChecks(rule: AlertRule, services: ReadonlySet<unknown> | null, env: Env): RawProblem[] {
  return [...(services ? unknownService(rule, services) : []), ...unsetChannels(rule, env)];
}

/** A rule for a service the registry does not have: a typo would leave it quiet for ever. */
export function unknownService(rule: AlertRule, services: ReadonlySet<unknown>): RawProblem[] {
  if (!('service' in rule) || rule.service === undefined || services.has(rule.service)) return [];
  return [{ path: ['service'], message: `service ${rule.service} is not in this registry: the rule will never fire`, severity: 'warning' }];
}

/** Channels whose URL variable is not set here (only the evaluating process needs it). */
function unsetChannels(rule: AlertRule, env: Env): RawProblem[] {
  return rule.channels.flatMap((channel, c): RawProblem[] =>
    channel.type !== 'desktop' && env[channel.url_env_var] === undefined
      ? [{ path: ['channels', c, 'url_env_var'], message: `environment variable ${channel.url_env_var} is not set: this channel cannot be sent from here`, severity: 'warning' }]
      : [],
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
