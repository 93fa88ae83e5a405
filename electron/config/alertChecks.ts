import { AlertRule } from '../../shared/alerts.ts';
import type { RawProblem } from './checks.ts';

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
  const out: RawProblem[] = [];
  // Rule by rule: a broken rule (reported by the schema) does not hide the others' problems.
  (Array.isArray(rawAlerts) ? rawAlerts : []).forEach((item: unknown, i) => {
    const parsed = AlertRule.safeParse(item);
    if (!parsed.success) return;
    const rule = parsed.data;
    if ('service' in rule && rule.service !== undefined && !services.has(rule.service)) {
      out.push({ path: ['alerts', i, 'service'], message: `service ${rule.service} is not in this registry: the rule will never fire`, severity: 'warning' });
    }
    rule.channels.forEach((channel, c) => {
      if (channel.type !== 'desktop' && env[channel.url_env_var] === undefined) {
        out.push({ path: ['alerts', i, 'channels', c, 'url_env_var'], message: `environment variable ${channel.url_env_var} is not set: this channel cannot be sent from here`, severity: 'warning' });
      }
    });
  });
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
