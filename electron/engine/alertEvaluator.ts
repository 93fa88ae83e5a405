import { alertText, type AlertNotice, type AlertRule } from '../../shared/alerts.ts';
import { CLI_BREAKER_WORDS, untriedCall } from '../../shared/breakerRecord.ts';
import type { Registry } from '../../shared/registry.ts';
import type { AlertTransition, ServiceOutcomes, Store } from '../store/store.ts';
import type { DeliveryOptions } from './alertDelivery.ts';
import { DEFAULT_DELIVERY, deliverNotice } from './alertDelivery.ts';
import type { AlertInputs } from './alertRules.ts';
import { evaluateRule, outcomeWindows } from './alertRules.ts';
import { alertRuleSet } from './alertRuleSet.ts';
import type { Logger } from '../log/logger.ts';

/** The task the processes sharing a store compete for: one evaluates the fleet's alerts at a time. */
export const ALERTS_TASK = 'alerts';

export interface AlertEvaluatorOptions {
  store: Store;
  registry: { readonly registry: Registry };
  owner: string;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  /** How often to evaluate (default 15 s). The lease lasts three of these: a dead holder is replaced after it. */
  intervalMs?: number;
  /** A worker whose heartbeat is older than this is lost (default 10 s, as workers.list says). */
  lostAfterMs?: number;
  delivery?: DeliveryOptions;
  /** Schedules that missed their fire (the runtime reads them with overdueSchedules). */
  missedSchedules?: (now: Date) => Promise<Array<{ schedule: string; due_at: string }>>;
}

/**
 * Evaluates the registry's `alerts:` for the whole fleet, in one process at a time (a lease in the
 * store, taken over when its holder stops renewing it), records the firing and resolved transitions, and
 * sends each transition of a rule that is not silenced to its webhook and Slack channels. Desktop
 * notices and the page's banner come from the recorded transitions (api/events.ts), so every console
 * shows them whichever process evaluated.
 */
export class AlertEvaluator {
  readonly #opts: AlertEvaluatorOptions;
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<unknown> | null = null;
  readonly #deliveries = new Set<Promise<void>>();
  /** Each rule's last notice under way: the next waits for it, so a receiver never hears "resolved" first. */
  readonly #lastNotice = new Map<string, Promise<void>>();

  constructor(opts: AlertEvaluatorOptions) {
    this.#opts = opts;
  }

  get intervalMs(): number {
    return this.#opts.intervalMs ?? 15_000;
  }

  /**
   * Evaluates every interval, the first one interval from now: by then the workers starting with this
   * process have registered, so "no live worker" does not fire for jobs a starting worker is about to run.
   */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#tick(), this.intervalMs);
    this.#timer.unref();
  }

  /** Stops evaluating; deliveries under way finish (each is bounded by its timeouts and tries). */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#round;
    await Promise.all(this.#deliveries);
  }

  async #tick(): Promise<void> {
    if (this.#round) return;
    this.#round = this.runOnce().catch((error: unknown) => this.#opts.log.error('alerts: an evaluation failed', { error: error instanceof Error ? error.message : String(error) }));
    await this.#round;
    this.#round = null;
  }

  /**
   * One evaluation if this process holds (or takes) the evaluator's lease; null when another does, or when
   * this process has no registry of services or no rule at all: a console opened without the fleet's
   * registry must not take the evaluation over and forget the fleet's alerts.
   */
  async runOnce(now = new Date()): Promise<AlertTransition[] | null> {
    const { store, owner } = this.#opts;
    const registry = this.#opts.registry.registry;
    if (registry.services.length === 0) return null;
    const rules = (await alertRuleSet(store, registry)).map((r) => r.rule);
    if (rules.length === 0) return null;
    if (!(await store.takeMaintenance(ALERTS_TASK, owner, 3 * this.intervalMs))) return null;
    const inputs = await this.#inputs(rules, registry, now);
    const results = rules.map((rule) => ({ ...evaluateRule(rule, inputs), severity: rule.severity }));
    const transitions = await store.recordAlertEvaluation(results, now);
    for (const t of transitions) {
      const rule = rules.find((r) => r.name === t.rule);
      if (!rule || t.silenced) continue;
      this.#opts.log[t.status === 'firing' ? 'warn' : 'info'](`alert ${t.status}: ${t.rule}`, { rule: t.rule, summary: alertText(t.summary, t.advice, CLI_BREAKER_WORDS) });
      const delivery = (this.#lastNotice.get(rule.name) ?? Promise.resolve())
        .then(() => this.#deliver(rule, t))
        .catch((error: unknown) => this.#opts.log.error('alerts: a delivery failed', { rule: rule.name, error: error instanceof Error ? error.message : String(error) }));
      this.#lastNotice.set(rule.name, delivery);
      this.#deliveries.add(delivery);
      void delivery.finally(() => {
        this.#deliveries.delete(delivery);
        if (this.#lastNotice.get(rule.name) === delivery) this.#lastNotice.delete(rule.name);
      });
    }
    return transitions;
  }

  /** Every input read once per evaluation, from kept counts, rollups and small tables. */
  async #inputs(rules: AlertRule[], registry: Registry, now: Date): Promise<AlertInputs> {
    const { store } = this.#opts;
    const kinds = new Set(rules.map((r) => r.kind));
    const windows = outcomeWindows(rules);
    const namedQueues = rules.flatMap((r) => (r.kind === 'oldest_due' && r.queue !== undefined ? [r.queue] : []));
    const services = new Set(registry.services.map((s) => s.name));
    const [outcomes, breakers, workers, oldest, oldestOf, missed, control] = await Promise.all([
      Promise.all(windows.map(async (w): Promise<[number, ServiceOutcomes[]]> => [w, await store.outcomesByService(new Date(now.getTime() - w * 1000))])),
      // A service the registry no longer has is gone: its breaker, never probed again, is no outage.
      kinds.has('breaker_open') ? store.listBreakers().then((all) => all.filter((b) => services.has(b.service_name))) : [],
      kinds.has('worker_lost') || kinds.has('no_live_worker') ? store.listWorkers(this.#opts.lostAfterMs ?? 10_000) : [],
      kinds.has('oldest_due') || kinds.has('no_live_worker') ? store.oldestPendingRunAt() : null,
      namedQueues.length > 0 ? store.oldestPendingOf(namedQueues) : [],
      kinds.has('schedule_missed') && this.#opts.missedSchedules ? this.#opts.missedSchedules(now) : null,
      kinds.has('no_live_worker') ? store.getControl() : null,
    ]);
    const dispatchHeldBy = control?.emergency_stop.engaged ? 'the emergency stop' : control?.safe_mode.engaged ? 'safe mode' : null;
    // Read only when a rule's input could not be: that rule keeps the state it had.
    const wasFiring = oldestOf.some((q) => !q.read) ? new Set((await store.listAlertStates()).filter((a) => a.firing).map((a) => a.rule)) : new Set<string>();
    const serviceKinds = new Map(registry.services.map((s) => [s.name, s.execution_type]));
    const untriedCalls = new Map(registry.services.flatMap((s) => {
      const untried = untriedCall(s);
      return untried === undefined ? [] : [[s.name, untried] as const];
    }));
    return { now, outcomes: new Map(outcomes), breakers, serviceKinds, untriedCalls, workers, oldestPendingRunAt: oldest, oldestPendingOf: oldestOf, wasFiring, missedSchedules: missed, dispatchHeldBy };
  }

  async #deliver(rule: AlertRule, t: AlertTransition): Promise<void> {
    // Read outside the console, in Slack or by a webhook's receiver: the advice names the commands.
    const summary = alertText(t.summary, t.advice, CLI_BREAKER_WORDS);
    const notice: AlertNotice = { rule: rule.name, kind: rule.kind, severity: t.severity, status: t.status, summary, value: t.value, at: t.at };
    const results = await deliverNotice(notice, rule.channels, this.#opts.env, this.#opts.delivery ?? DEFAULT_DELIVERY);
    for (const r of results) {
      const summary = r.ok
        ? `${t.status} delivered (${r.detail}${r.tries > 1 ? ` after ${r.tries} tries` : ''})`
        : r.tries === 0
          ? `${t.status} not sent: ${r.detail}`
          : `${t.status} not delivered after ${r.tries} ${r.tries === 1 ? 'try' : 'tries'}: ${r.detail}`;
      if (!r.ok) this.#opts.log.warn('alerts: a channel could not deliver', { rule: rule.name, channel: r.channel, summary });
      await this.#opts.store
        .recordAlertDelivery({ rule: rule.name, severity: t.severity, ok: r.ok, channel: r.channel, summary })
        .catch((error: unknown) => this.#opts.log.error('alerts: could not record a delivery', { error: error instanceof Error ? error.message : String(error) }));
    }
  }
}
