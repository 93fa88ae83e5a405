import type { EventPayload } from '../../shared/contract.ts';
import type { Registry } from '../../shared/registry.ts';
import { alertText } from '../../shared/alerts.ts';
import type { InterfaceWords } from './interfaceWords.ts';
import type { Store } from '../store/store.ts';
import { alertRuleSet } from '../engine/alertRuleSet.ts';

/** The newest events read each tick: more than a fleet records between two ticks of the feed. */
const WINDOW = 200;

/**
 * Alert transitions for the event feed: whichever process of the fleet evaluated them, they are read back
 * from the store's history (the newest few, once per feed tick), so every console shows its desktop
 * notice or page banner. The first read only notes where the history stands: nothing old is announced.
 * What was announced is known by id, not by the highest id seen: on PostgreSQL an id is taken when its row
 * is written and seen when its transaction commits, so an evaluation's transitions can appear after a
 * delivery recorded meanwhile with a higher id. `words`: the console's, whose notices and banner say the advice.
 */
export function createAlertWatch() {
  let seen: Set<number> | null = null;
  let watched: Store | null = null;

  return async function check(store: Store, registry: Registry, words: InterfaceWords): Promise<Array<EventPayload<'alert.changed'>>> {
    if (store !== watched) {
      watched = store;
      seen = null;
    }
    const recent = (await store.listAlertEvents({}, { limit: WINDOW })).items;
    const before = seen;
    // Ids older than the window never come back into it: forgetting them keeps the set the window's size.
    seen = new Set(recent.map((e) => e.id));
    if (before === null) return [];
    const fresh = recent.filter((e) => !before.has(e.id) && (e.kind === 'firing' || e.kind === 'resolved')).reverse();
    if (fresh.length === 0) return [];
    const silenced = new Map((await store.listAlertStates()).map((s) => [s.rule, s.silenced_until !== null && Date.parse(s.silenced_until) > Date.now()]));
    const rules = new Map((await alertRuleSet(store, registry)).map((r) => [r.rule.name, r.rule]));
    return fresh.map((e) => ({
      rule: e.rule,
      status: e.kind === 'firing' ? 'firing' : 'resolved',
      severity: e.severity,
      summary: alertText(e.summary, e.advice, words),
      at: e.at,
      desktop: !(silenced.get(e.rule) ?? false) && (rules.get(e.rule)?.channels.some((c) => c.type === 'desktop') ?? false),
    }));
  };
}
