import { parse, stringify } from 'yaml';
import { ALERT_KINDS, type AlertRule } from '../../../../shared/alerts.ts';

/** A new rule's starting text: the shape of a rule, to be edited. */
export const NEW_RULE_TEXT = `name: failure-spike
kind: failure_rate        # ${ALERT_KINDS.join(', ')}
threshold: 0.5
window: 5m
min_volume: 10
severity: warning         # info, warning, critical
channels:
  - type: desktop
  # - type: webhook
  #   url_env_var: ALERT_URL   # the variable holding the URL, on the evaluating process
`;

export function ruleToText(rule: AlertRule): string {
  return stringify(rule);
}

/** The text as a value for `alerts.saveRule` (the server validates it), or why it is not YAML at all. */
export function textToRule(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    const value: unknown = parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'write one rule: keys such as name, kind, severity' };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, message: `not YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}
