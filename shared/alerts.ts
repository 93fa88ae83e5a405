import { z } from 'zod';
import { plainString } from './fields.ts';
import { byHandAdvice, type BreakerWords } from './breakerRecord.ts';
import { ExecutionType, Timestamp } from './domain.ts';
import { parseDuration } from './duration.ts';
import { isEmail, kindProblem, NO_EMAIL, thresholdProblem } from './alertCondition.ts';

/**
 * Alert rules (the registry's `alerts:`), what an evaluation found, and what the store keeps of it: the
 * firing and resolved transitions, acknowledgements and silences. Channel URLs may carry secrets, so a
 * rule names the environment variable that holds the URL, never the URL itself.
 */

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/** `90s`, `10m`, `2h` (shared/duration.ts); at least a second. */
export const AlertDuration = z
  .string()
  .refine((text) => (parseDuration(text) ?? 0) >= 1, 'must be a duration such as 90s, 10m or 2h');

export const AlertSeverity = z.enum(['info', 'warning', 'critical']);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

/** The values a discriminated union's discriminator may take, when it was given none of them. */
const optionsOf = (issue: { code?: string }): string[] | null =>
  issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options) ? issue.options.map(String) : null;

export const AlertChannel = z.discriminatedUnion('type', [
  /** A desktop notification (Electron), a banner in the page (browser host). */
  z.object({ type: z.literal('desktop') }).strict(),
  /** POST of the JSON body documented in the README. */
  z.object({ type: z.literal('webhook'), url_env_var: envVarName }).strict(),
  /** A Slack-compatible incoming webhook: `{"text": …, "blocks": […]}`. */
  z.object({ type: z.literal('slack'), url_env_var: envVarName }).strict(),
], {
  error: (issue) => {
    const types = optionsOf(issue);
    if (types === null) return undefined;
    const type = typeof issue.input === 'object' && issue.input !== null ? Reflect.get(issue.input, 'type') : undefined;
    return `type must be one of ${types.join(', ')}${isEmail(type) ? `: ${NO_EMAIL}` : ''}`;
  },
});
export type AlertChannel = z.infer<typeof AlertChannel>;

const ruleCommon = {
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'use letters, digits, _ . - (at most 100)'),
  severity: AlertSeverity.default('warning'),
  channels: z.array(AlertChannel).default([{ type: 'desktop' }]),
  description: z.string().max(500).optional(),
};
const service = z.string().min(1).max(100).optional();

export const AlertRule = z.discriminatedUnion('kind', [
  /** Failed attempts (dead letters and retries) over all attempts in the window, above `threshold`. */
  z
    .object({
      ...ruleCommon,
      kind: z.literal('failure_rate'),
      service,
      threshold: z.number().gt(0).max(1, { error: (issue) => thresholdProblem(issue.input) }),
      window: AlertDuration.default('5m'),
      /** Attempts in the window before the rate counts: two failures of two is not a spike. */
      min_volume: z.number().int().min(1).default(10),
    })
    .strict(),
  /** At least `count` jobs went to the dead-letter queue in the window. */
  z.object({ ...ruleCommon, kind: z.literal('dead_letters'), service, window: AlertDuration.default('10m'), count: z.number().int().min(1).default(1) }).strict(),
  /** The oldest due job (of `queue`, or of any) has waited longer than `older_than`. */
  z.object({ ...ruleCommon, kind: z.literal('oldest_due'), queue: plainString(100).optional(), older_than: AlertDuration }).strict(),
  /**
   * A breaker (of `service`, or any) has not been closed for longer than `older_than`, timed from when it left
   * closed: open, half-open and open again is one outage.
   */
  z.object({ ...ruleCommon, kind: z.literal('breaker_open'), service, older_than: AlertDuration.default('1s') }).strict(),
  /** A worker stopped sending heartbeats without saying it stopped, within the last `within`. */
  z.object({ ...ruleCommon, kind: z.literal('worker_lost'), within: AlertDuration.default('1h') }).strict(),
  /** Jobs are due and no live worker is there to run them. */
  z.object({ ...ruleCommon, kind: z.literal('no_live_worker') }).strict(),
  /** A schedule no worker fired for more than two minutes past its fire (one schedule, or any). */
  z.object({ ...ruleCommon, kind: z.literal('schedule_missed'), schedule: z.string().min(1).max(100).optional() }).strict(),
], {
  // The runbooks write a condition (`error_rate > 0.05`); opsdeck names the kind and its numbers apart.
  error: (issue) => {
    const kinds = optionsOf(issue);
    return kinds === null ? undefined : kindProblem(issue.input, kinds);
  },
});
export type AlertRule = z.infer<typeof AlertRule>;
export type AlertKind = AlertRule['kind'];
export const ALERT_KINDS: readonly AlertKind[] = AlertRule.options.map((rule) => rule.shape.kind.value);

/**
 * The most YAML one rule may be when sent to be checked: a rule is a few hundred characters, and reading
 * far more (thousands of keys, collections nested thousands deep) costs the host a second of its time.
 */
export const ALERT_RULE_TEXT_MAX = 16_384;

export const AlertRules = z.array(AlertRule).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `rule "${rule.name}" is defined twice` });
    seen.add(rule.name);
  });
});

/**
 * Advice an alert gives, kept as facts so each interface words it its own way when it reads the alert: a
 * half-open breaker no job has come to probe, its service to check by hand (`kind`: its execution type,
 * null when the evaluating registry lacked it; `untried`: its jobs' method when the check does not send
 * it, so it cannot pass; absent on advice kept before it was known) and then reset.
 */
export const AlertAdvice = z.object({ service: z.string(), kind: ExecutionType.nullable(), untried: z.string().optional() });
export type AlertAdvice = z.infer<typeof AlertAdvice>;

/** The advice as the stores keep it (JSON, or nothing on a row written before advice was kept apart). */
export const StoredAdvice = z.array(AlertAdvice).nullable().transform((advice) => advice ?? []);

/**
 * An alert's summary as an interface shows it: what was measured, then its advice in that interface's
 * words. A summary stored before advice was kept apart already holds its advice, in the CLI's words.
 */
export function alertText(summary: string, advice: readonly AlertAdvice[], words: BreakerWords): string {
  if (advice.length === 0) return summary;
  return `${summary}. ${advice.map((a) => `For ${a.service}: ${byHandAdvice(a.service, a.kind, words, a.untried)}`).join('. ')}`;
}

/** What one evaluation says of one rule. */
export interface AlertVerdict {
  rule: string;
  firing: boolean;
  /** What was measured, in words ("12 of 20 attempts failed (60%) in the last 5m"), without its advice. */
  summary: string;
  /** What to do about it, as facts; worded when read (alertText). */
  advice: AlertAdvice[];
  /** The measured value against the rule's threshold. */
  value: number | null;
}

/** A rule's state as kept in the store. */
export const AlertState = z.object({
  rule: z.string(),
  severity: AlertSeverity,
  firing: z.boolean(),
  since: Timestamp,
  /** Its advice worded by the interface that reads it (alertText). */
  summary: z.string(),
  /** The facts the summary's advice was worded from. */
  advice: z.array(AlertAdvice),
  value: z.number().nullable(),
  acked_by: z.string().nullable(),
  acked_at: Timestamp.nullable(),
  ack_note: z.string().nullable(),
  silenced_until: Timestamp.nullable(),
  silenced_by: z.string().nullable(),
  evaluated_at: Timestamp,
});
export type AlertState = z.infer<typeof AlertState>;

/** One transition or one channel delivery problem, newest first on the Alerts page. */
export const AlertEvent = z.object({
  id: z.number().int(),
  at: Timestamp,
  rule: z.string(),
  kind: z.enum(['firing', 'resolved', 'delivery_failed', 'delivered']),
  severity: AlertSeverity,
  /** Its advice worded by the interface that reads it (alertText). */
  summary: z.string(),
  /** The facts the summary's advice was worded from; none for a delivery. */
  advice: z.array(AlertAdvice),
  /** For deliveries: the channel (`webhook:ALERT_URL`), never the URL. */
  channel: z.string().nullable(),
});
export type AlertEvent = z.infer<typeof AlertEvent>;

/**
 * A rule as the console shows it: the registry's rule and its state. The fleet's evaluator may run with
 * another registry than this host's: a state whose rule this host does not know still shows (rule null).
 */
export const AlertView = z.object({
  name: z.string(),
  rule: AlertRule.nullable(),
  /** Where the rule lives: the registry file (read-only in the console), or the store (edited in the console). */
  source: z.enum(['registry', 'console']).nullable(),
  state: AlertState.nullable(),
});
export type AlertView = z.infer<typeof AlertView>;

/** A rule written in the console, kept in the store beside the registry's (which win on a name clash). */
export const StoredAlertRule = z.object({
  rule: AlertRule,
  set_by: z.string(),
  set_at: Timestamp,
});
export type StoredAlertRule = z.infer<typeof StoredAlertRule>;

/** What a rule does when it fires or resolves: the webhook body, documented in the README. */
export interface AlertNotice {
  rule: string;
  kind: AlertKind;
  severity: AlertSeverity;
  status: 'firing' | 'resolved';
  summary: string;
  value: number | null;
  at: string;
}

export function durationSeconds(text: string): number {
  return parseDuration(text) ?? 0;
}
