import type { AlertRule } from '../../shared/alerts.ts';
import type { Registry } from '../../shared/registry.ts';
import type { Store } from '../store/store.ts';

export interface SourcedRule {
  rule: AlertRule;
  source: 'registry' | 'console';
}

/**
 * The rules in force: the registry's, then those written in the console (kept in the store). On a name
 * both have, the registry's wins: the file is what the fleet was deployed with.
 */
export async function alertRuleSet(store: Store, registry: Registry): Promise<SourcedRule[]> {
  const fromFile = (registry.alerts ?? []).map((rule) => ({ rule, source: 'registry' as const }));
  const names = new Set(fromFile.map((r) => r.rule.name));
  const fromConsole = (await store.listAlertRules()).filter((s) => !names.has(s.rule.name)).map((s) => ({ rule: s.rule, source: 'console' as const }));
  return [...fromFile, ...fromConsole];
}
