import type { z } from 'zod';
import { AlertRule } from '../../shared/alerts.ts';
import { EXECUTION_TYPES, ExecutionType } from '../../shared/domain.ts';
import {
  AuthConfig,
  CircuitBreakerConfig,
  ResourceLimits,
  RetryConfig,
  RUNNER_CONFIGS,
  SecurityPolicy,
  ServiceConfig,
} from '../../shared/registry.ts';
import { misspeltKind, runbookKeyAdvice } from './alertRuleWords.ts';
import type { RawProblem } from './checks.ts';
import { closest } from '../../shared/closestWord.ts';
import { valueAt, type PathKey } from './locate.ts';

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
  const last = parent[parent.length - 1];
  if (parent.length === 0) return ['services'];
  if (parent.length === 2 && parent[0] === 'services') return SERVICE_KEYS;
  if (parent.length === 2 && parent[0] === 'alerts') return ALERT_RULE_KEYS;
  if (last === 'runner_config' && parent.length === 3) {
    const kind = valueAt(root, [...parent.slice(0, 2), 'execution_type']);
    const parsed = ExecutionType.safeParse(kind);
    return parsed.success ? Object.keys(RUNNER_CONFIGS[parsed.data].shape) : [];
  }
  if (last === 'security_policy') return Object.keys(SecurityPolicy.shape);
  if (last === 'retry_config') return Object.keys(RetryConfig.shape);
  if (last === 'circuit_breaker') return Object.keys(CircuitBreakerConfig.shape);
  if (last === 'auth_config') return Object.keys(AuthConfig.shape);
  if (last === 'resource_limits') return Object.keys(ResourceLimits.shape);
  return [];
}

/** The service sections that hold a key of their own, so a key put in the wrong one can be sent home. */
const SECTION_KEYS: ReadonlyArray<[string, readonly string[]]> = [
  ['security_policy', Object.keys(SecurityPolicy.shape)],
  ['retry_config', Object.keys(RetryConfig.shape)],
  ['circuit_breaker', Object.keys(CircuitBreakerConfig.shape)],
];

/** Keys the runbooks' systems use for settings opsdeck names otherwise, by section: what to write instead. */
const OTHER_SYSTEMS_WORDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  retry_config: { max_attempts: "opsdeck counts the retries after the first attempt: write max_retries (max_attempts 5 is max_retries 4)" },
  circuit_breaker: { reset_timeout: 'opsdeck calls it recovery_timeout (seconds open before a probe)' },
};

function unknownKeyMessage(key: string, parent: readonly PathKey[], root: unknown): string {
  const isRule = parent.length === 2 && parent[0] === 'alerts';
  const advice = isRule ? runbookKeyAdvice(key, valueAt(root, parent)) : null;
  if (advice) return `unknown key '${key}': ${advice}`;
  const section = parent[parent.length - 1];
  const otherWord = typeof section === 'string' ? OTHER_SYSTEMS_WORDS[section]?.[key] : undefined;
  if (otherWord) return `unknown key '${key}': ${otherWord}`;
  if (parent.length === 0 && SERVICE_KEYS.includes(key)) {
    return `unknown key '${key}' at the top level: is it indented under its service (two more spaces than '- name')?`;
  }
  const hint = closest(key, knownKeys(parent, root));
  // A key other kinds of alert rule take: the hint would name the key itself.
  if (hint === key) {
    const kind = valueAt(root, [...parent, 'kind']);
    return typeof kind === 'string' ? `a ${kind} rule takes no '${key}'` : `'${key}' is not allowed here`;
  }
  if (hint) return `unknown key '${key}': did you mean '${hint}'?`;
  const inService = parent.length >= 2 && parent[0] === 'services';
  if (inService && parent[parent.length - 1] === 'runner_config' && key in AuthConfig.shape) {
    const scheme = key === 'token_env_var' ? 'bearer' : 'basic';
    return `unknown key '${key}' here: it belongs under auth_config, beside auth_type: ${scheme} (runner_config: { auth_type: ${scheme}, auth_config: { ${key}: ... } })`;
  }
  const home = inService ? SECTION_KEYS.find(([section, keys]) => section !== parent[parent.length - 1] && keys.includes(key)) : undefined;
  return home ? `unknown key '${key}' here: it belongs under ${home[0]}` : `unknown key '${key}'`;
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
    if (missing && typeof last === 'string') {
      out.push({ path: p, message: `'${last}' is required`, severity: 'error' });
      continue;
    }
    out.push({ path: p, message: issue.message.replace(/^Invalid input: /, ''), severity: 'error' });
  }
  return out;
}
