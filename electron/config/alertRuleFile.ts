import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { AlertRule } from '../../shared/alerts.ts';
import type { RegistryProblem } from '../../shared/registry.ts';
import { alertRuleChecks } from './alertChecks.ts';
import type { RawProblem } from './checks.ts';
import type { HostEnv } from './hostEnv.ts';
import { checkAsLikelyKind } from './likelyKind.ts';
import { byPosition, isError, placeProblem, syntaxProblems, yamlOptions, yamlMessage } from './load.ts';
import { takeCollectionKeys } from './collectionKeys.ts';
import { capProblems } from './notRegistry.ts';
import { fromZodIssues } from './zodIssues.ts';

/**
 * The schema's issues worded as for the same rule under a registry's alerts:, with the rest of a rule whose
 * kind is missing or unknown checked as validate-config does, at paths within the file.
 */
function asRegistryRule(issues: readonly z.core.$ZodIssue[], value: unknown): RawProblem[] {
  const inRegistry = issues.map((issue) => ({ ...issue, path: ['alerts', 0, ...issue.path] }));
  const rules = [value];
  return [...fromZodIssues(inRegistry, { alerts: rules }), ...checkAsLikelyKind(rules, 0)].map((problem) => ({ ...problem, path: problem.path.slice(2) }));
}

export interface AlertRuleParse {
  /** Null when any problem is an error. */
  rule: AlertRule | null;
  /** Errors and warnings in file order, each at its line, as `validate-config` gives a registry's (and cut as it cuts them). */
  problems: RegistryProblem[];
}

/**
 * One alert rule written as YAML (what goes under `alerts:` in a registry), for `alerts save-rule FILE` and
 * the console's rule editor (`alerts.checkRule`): every problem at once, each with its line and column, so
 * one edit fixes them all.
 * `services`: the loaded registry's, to warn of a rule that names a service it does not have; null when
 * no registry is loaded here. `env` a BlindHost: checked blind to this host (HostEnv).
 */
export function parseAlertRule(text: string, env: HostEnv, services: ReadonlySet<string> | null): AlertRuleParse {
  const lines = new LineCounter();
  const doc = parseDocument(text, yamlOptions(lines));
  const problems = syntaxProblems(doc, lines);
  if (problems.some(isError)) return { rule: null, problems: capProblems(problems) };
  let value: unknown;
  try {
    problems.push(...takeCollectionKeys(doc, lines));
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { rule: null, problems: [...problems, { line: null, col: null, path: '(document)', message: yamlMessage(e instanceof Error ? e.message : String(e)) }] };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const found = value === null || value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    return { rule: null, problems: [...problems, { line: 1, col: 1, path: '(document)', message: `expected one rule (name: and kind: at the top level), found ${found}` }] };
  }
  const parsed = AlertRule.safeParse(value);
  const raw = parsed.success ? alertRuleChecks(parsed.data, services, env) : asRegistryRule(parsed.error.issues, value);
  problems.push(...raw.map((r) => placeProblem(doc, lines, r)));
  problems.sort(byPosition);
  return { rule: parsed.success && !problems.some(isError) ? parsed.data : null, problems: capProblems(problems) };
}
