import type { Actor } from '../../shared/domain.ts';
import type { RateUse, ServiceGate, ServicePause } from '../../shared/rateLimit.ts';
import type { AlertAdvice, AlertEvent, AlertRule, AlertSeverity, AlertState, StoredAlertRule } from '../../shared/alerts.ts';
import type { Page, PageRequest } from './store.ts';

/** The Store's rate limits (gates.ts of each dialect) and alerts (alerts.ts and alertRules.ts). */
export interface AlertStore {
  /** The budgets of these gates in use now: starts in the period, running jobs, a pause. Never a history read. */
  rateUse(gates: ServiceGate[]): Promise<RateUse[]>;
  /**
   * Pauses a service's calls fleet-wide until `until` (an upstream's 429 + Retry-After); a later pause
   * already stored wins. Announced as a control signal.
   */
  pauseService(service: string, until: Date, reason: string): Promise<void>;
  /** The services paused now. */
  listServicePauses(): Promise<ServicePause[]>;

  // ---- alerts (alerts.ts of each dialect) ---------------------------------------------------------
  /** Per service since `since`: completed, dead-lettered and retried attempts, from the per-minute rollups. */
  outcomesByService(since: Date): Promise<ServiceOutcomes[]>;
  listAlertStates(): Promise<AlertState[]>;
  /**
   * Records one evaluation in one transaction: each rule's state, and an event for each rule whose firing
   * changed (a resolved rule forgets its acknowledgement). Rules no longer evaluated are forgotten. Returns
   * the transitions.
   */
  recordAlertEvaluation(results: EvaluatedRule[], at: Date): Promise<AlertTransition[]>;
  /** A channel's delivery of a transition, or its failure (the channel named, never its URL). */
  recordAlertDelivery(delivery: AlertDelivery): Promise<void>;
  /** Transitions and deliveries, newest first. */
  listAlertEvents(filter: { rule?: string }, page: PageRequest): Promise<Page<AlertEvent>>;
  /** Acknowledges a firing rule with a note; audited (`alert.ack`). Null when the rule is not firing. */
  ackAlert(rule: string, note: string, actor: Actor): Promise<AlertState | null>;
  /** Alert rules written in the console, by name. */
  listAlertRules(): Promise<StoredAlertRule[]>;
  /** Adds or replaces a console rule; audited (`alert.rule_save`, with the rule before and after). */
  saveAlertRule(rule: AlertRule, actor: Actor): Promise<StoredAlertRule>;
  /** Deletes a console rule; audited (`alert.rule_delete`). False when there was none. */
  deleteAlertRule(name: string, actor: Actor): Promise<boolean>;
  /** Silences a rule's notifications until `until` (null lifts it); audited (`alert.silence`). Null when unknown. */
  silenceAlert(rule: string, until: Date | null, actor: Actor, reason: string | null): Promise<AlertState | null>;
}

export interface ServiceOutcomes {
  service_name: string;
  completed: number;
  /** Jobs that went into the dead-letter queue. */
  failed: number;
  /** Attempts that failed with another to follow. */
  retried: number;
}

export interface EvaluatedRule {
  rule: string;
  severity: AlertSeverity;
  firing: boolean;
  /** What was measured, without its advice. */
  summary: string;
  /** Its advice as facts, kept beside the summary and worded by whoever reads it; none when not given. */
  advice?: AlertAdvice[];
  value: number | null;
}

export interface AlertTransition {
  rule: string;
  severity: AlertSeverity;
  status: 'firing' | 'resolved';
  summary: string;
  advice: AlertAdvice[];
  value: number | null;
  at: string;
  /** Silenced rules record their transitions but notify nobody. */
  silenced: boolean;
}

export interface AlertDelivery {
  rule: string;
  severity: AlertSeverity;
  ok: boolean;
  /** `webhook:ALERT_URL`, `slack:SLACK_URL`, `desktop`. */
  channel: string;
  summary: string;
}
