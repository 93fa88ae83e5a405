import type { z } from 'zod';
import { AlertRule } from '../../shared/alerts.ts';
import { EXECUTION_TYPES } from '../../shared/domain.ts';
import { AuthConfig, ServiceConfig } from '../../shared/registry.ts';
import { misspeltKind, runbookKeyAdvice } from './alertRuleWords.ts';
import type { RawProblem } from './checks.ts';
import { closest } from '../../shared/closestWord.ts';
import { valueAt, type PathKey } from './locate.ts';
import { homeOf, plainKey } from './keyHome.ts';
import { workflowAsMeant } from './workflowChecks.ts';
import { keysAt } from './schemaAt.ts';
import { isTaskPath, OTHER_SYSTEMS_TASK_KEYS, otherWordFor } from './taskWords.ts';
import { choiceMessage, listMessage } from './valueWords.ts';

const SERVICE_KEYS = Object.keys(ServiceConfig.options[0].shape);
const ALERT_RULE_KEYS = [...new Set(AlertRule.options.flatMap((rule) => Object.keys(rule.shape)))];

function executionTypeMessage(value: unknown): string {
  if (value === undefined) return `execution_type is required (one of ${EXECUTION_TYPES.join(', ')})`;
  if (typeof value !== 'string') return `execution_type must be one of ${EXECUTION_TYPES.join(', ')}`;
  const hint = closest(value, EXECUTION_TYPES);
  const known = `expected one of ${EXECUTION_TYPES.join(', ')}`;
  return hint
    ? `unknown execution type "${value}": did you mean "${hint}"? (the rest of this service is checked as ${hint})`
    : `unknown execution type "${value}": ${known} (the rest of this service is checked without its runner_config)`;
}

/** The keys allowed where an unknown key was found, for a "did you mean" hint. */
function knownKeys(parent: readonly PathKey[], root: unknown): readonly string[] {
  // Any kind's keys, so a key another kind of rule takes is told apart from a misspelt one.
  if (parent.length === 2 && parent[0] === 'alerts') return ALERT_RULE_KEYS;
  return keysAt(root, parent);
}

/** Keys the runbooks' systems use for settings opsdeck names otherwise, by section: what to write instead. */
const OTHER_SYSTEMS_WORDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  retry_config: { max_attempts: "opsdeck counts the retries after the first attempt: write max_retries (max_attempts 5 is max_retries 4)" },
  circuit_breaker: { reset_timeout: 'opsdeck calls it recovery_timeout (seconds open before a probe)' },
};

/** For a task's near-miss key: that the workflow's dependencies are still checked, read as the key meant. */
function checkedAs(parent: readonly PathKey[], root: unknown, meant: string): string {
  const [section, index, tasks] = parent;
  if (section !== 'workflows' || typeof index !== 'number' || tasks !== 'tasks' || parent.length !== 4) return '';
  return workflowAsMeant(valueAt(root, ['workflows', index])) ? ` (the workflow is checked as if it said ${meant})` : '';
}

function unknownKeyMessage(key: string, parent: readonly PathKey[], root: unknown): string {
  const isRule = parent.length === 2 && parent[0] === 'alerts';
  const advice = isRule ? runbookKeyAdvice(key, valueAt(root, parent)) : null;
  if (advice) return `unknown key '${key}': ${advice}`;
  const section = parent[parent.length - 1];
  const otherWord = typeof section === 'string' ? OTHER_SYSTEMS_WORDS[section]?.[key] : undefined;
  if (otherWord) return `unknown key '${key}': ${otherWord}`;
  const taskWord = isTaskPath(parent) ? OTHER_SYSTEMS_TASK_KEYS[key] : undefined;
  if (taskWord) return `unknown key '${key}': ${taskWord.advice(valueAt(root, [...parent, key]))}${checkedAs(parent, root, taskWord.meant)}`;
  if (parent.length === 0 && SERVICE_KEYS.includes(key)) {
    return `unknown key '${key}' at the top level: is it indented under its service (two more spaces than '- name')?`;
  }
  const hint = closest(key, knownKeys(parent, root));
  // A key other kinds of alert rule take: the hint would name the key itself.
  if (hint === key) {
    const kind = valueAt(root, [...parent, 'kind']);
    return typeof kind === 'string' ? `a ${kind} rule takes no '${key}'` : `'${key}' is not allowed here`;
  }
  const inService = parent.length >= 2 && parent[0] === 'services';
  if (inService && parent[parent.length - 1] === 'runner_config' && key in AuthConfig.shape) {
    const scheme = key === 'token_env_var' ? 'bearer' : 'basic';
    return `unknown key '${key}' here: it belongs under auth_config, beside auth_type: ${scheme} (runner_config: { auth_type: ${scheme}, auth_config: { ${key}: ... } })`;
  }
  // A key another level takes as written is surer than a near miss here.
  const home = homeOf(key, parent, root);
  if (home && !(hint && plainKey(hint) === plainKey(key))) return `unknown key '${key}' here: ${home}`;
  if (hint) return `unknown key '${key}': did you mean '${hint}'?${checkedAs(parent, root, hint)}`;
  return `unknown key '${key}'`;
}

/** zod's "Too small: expected array to have >=1 items" in the registry's words: "needs at least one task". */
function tooSmall(issue: z.core.$ZodIssueTooSmall, key: PathKey | undefined): string {
  const least = Number(issue.minimum);
  if (issue.origin === 'string') return least <= 1 ? 'must not be empty' : `needs at least ${least} characters`;
  if (issue.origin !== 'array') return issue.message;
  const noun = typeof key === 'string' && key.endsWith('s') ? key.slice(0, -1).replaceAll('_', ' ') : 'entry';
  return least <= 1 ? `needs at least one ${noun}` : `needs at least ${least} ${noun === 'entry' ? 'entries' : `${noun}s`}`;
}

/** Turns schema issues into problems an operator can act on, in the runbook's words where it has some. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], root: unknown): RawProblem[] {
  const out: RawProblem[] = [];
  for (const issue of issues) {
    const p: PathKey[] = issue.path.filter((k): k is PathKey => typeof k === 'string' || typeof k === 'number');
    const last = p[p.length - 1];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: [...p, key], message: unknownKeyMessage(key, p, root), severity: 'error', atKey: true });
      }
      continue;
    }
    if (last === 'execution_type' && issue.code === 'invalid_union') {
      out.push({ path: p, message: executionTypeMessage(valueAt(root, p)), severity: 'error' });
      continue;
    }
    const kind = p.length === 3 && p[0] === 'alerts' && last === 'kind' && issue.code === 'invalid_union' ? valueAt(root, p) : undefined;
    const meant = misspeltKind(kind);
    if (meant) {
      out.push({ path: p, message: `unknown kind "${String(kind)}": did you mean "${meant}"? (the rest of this rule is checked as ${meant})`, severity: 'error' });
      continue;
    }
    const missing = issue.code === 'invalid_type' && valueAt(root, p) === undefined;
    const service = p[0] === 'services' && typeof p[1] === 'number' ? valueAt(root, p.slice(0, 2)) : undefined;
    const isHttp = valueAt(service, ['execution_type']) === 'http';
    if (missing && isHttp && (last === 'base_url' || (last === 'runner_config' && p.length === 3))) {
      out.push({ path: p, message: "HTTP runner requires 'base_url' in config", severity: 'error' });
      continue;
    }
    // A task that wrote another system's word for the key (id for name) is told so at that word, once.
    if (missing && typeof last === 'string' && isTaskPath(p.slice(0, -1)) && otherWordFor(valueAt(root, p.slice(0, -1)), last) !== undefined) continue;
    if (missing && typeof last === 'string') {
      out.push({ path: p, message: `'${last}' is required`, severity: 'error' });
      continue;
    }
    const value = valueAt(root, p);
    if (issue.code === 'invalid_type' && issue.expected === 'array' && typeof value === 'string') {
      out.push({ path: p, message: listMessage(last, value), severity: 'error' });
      continue;
    }
    if (issue.code === 'invalid_value' && issue.values.length > 1 && issue.message.startsWith('Invalid option')) {
      out.push({ path: p, message: choiceMessage(last, value, issue.values), severity: 'error' });
      continue;
    }
    if (issue.code === 'too_small' && issue.message.startsWith('Too small')) {
      out.push({ path: p, message: tooSmall(issue, last), severity: 'error' });
      continue;
    }
    out.push({ path: p, message: issue.message.replace(/^Invalid input: /, ''), severity: 'error' });
  }
  return out;
}
