import { readCondition } from '../../shared/alertCondition.ts';
import { ALERT_KINDS, AlertRule, type AlertKind } from '../../shared/alerts.ts';
import { misspeltKind } from './alertRuleWords.ts';
import type { RawProblem } from './checks.ts';
import { fromZodIssues } from './zodIssues.ts';

/**
 * A rule whose kind is missing or unknown gets only that one complaint from the schema (the kind picks
 * which fields are valid). So that the operator adding the kind does not meet a second round of problems
 * after the first, the rest of the rule is checked as the kind it most likely means (a misspelt kind, or a
 * runbook's `condition: "error_rate > 0.05"`); with no likely kind, everything no kind of its own takes.
 */

const COMMON = AlertRule.options[0].pick({ name: true, severity: true, channels: true, description: true });
const COMMON_KEYS = new Set(Object.keys(COMMON.shape));
/** Keys some kind takes: without a kind, none of them can be judged. */
const KIND_KEYS = new Set(AlertRule.options.flatMap((rule) => Object.keys(rule.shape)).filter((key) => !COMMON_KEYS.has(key)));

function likelyKind(fields: Record<string, unknown>): AlertKind | null {
  const reading = readCondition(fields.condition);
  return misspeltKind(fields.kind) ?? (reading?.means === 'failure_rate' ? reading.means : null);
}

/** Rule `index` of `rules` (a registry's alerts:) checked as its likely kind; nothing when its kind is known. */
export function checkAsLikelyKind(rules: readonly unknown[], index: number): RawProblem[] {
  const item = rules[index];
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return [];
  const fields: Record<string, unknown> = Object.fromEntries(Object.entries(item));
  if (ALERT_KINDS.some((kind) => kind === fields.kind)) return [];
  const assumed = likelyKind(fields);
  const probe = assumed ? { ...fields, kind: assumed } : Object.fromEntries(Object.entries(fields).filter(([key]) => !KIND_KEYS.has(key)));
  const parsed = assumed ? AlertRule.safeParse(probe) : COMMON.safeParse(probe);
  if (parsed.success) return [];
  const issues = parsed.error.issues.map((issue) => ({ ...issue, path: ['alerts', index, ...issue.path] }));
  // Worded from the rule as the probe reads it: a key of another kind says which kind refuses it.
  return fromZodIssues(issues, { alerts: rules.map((other, i) => (i === index ? probe : other)) });
}
