import { stringify } from 'yaml';
import { ALERT_KINDS, type AlertRule } from '../../../../shared/alerts.ts';
import type { RegistryProblem } from '../../../../shared/registry.ts';

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

/**
 * One problem the host found in the rule's text, as `alerts save-rule` prints it without the file's name:
 * `line 3:12 threshold: …`, a warning marked as one.
 */
export function problemLine(problem: RegistryProblem): string {
  const where = problem.line === null ? '' : `line ${problem.line}:${problem.col ?? 1} `;
  return `${where}${problem.path}: ${problem.severity === 'warning' ? 'warning: ' : ''}${problem.message}`;
}

/** What saving says: the warnings the check gave (saved all the same, as `alerts save-rule` saves) with it. */
export function savedNotice(name: string, warnings: readonly RegistryProblem[]): string {
  if (warnings.length === 0) return `Saved alert rule ${name}.`;
  const count = warnings.length === 1 ? 'a warning' : `${warnings.length} warnings`;
  return `Saved alert rule ${name}, with ${count}: ${warnings.map(problemLine).join('; ')}`;
}
