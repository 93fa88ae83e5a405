/**
 * The runbooks write an alert rule as a condition on a metric (`error_rate > 0.05`, `disk_free < 1GB`)
 * and send it by e-mail; opsdeck names the kind and its numbers apart and has no e-mail channel. What
 * such a rule is here, in the words of its refusal, and the kind it most likely means.
 */

export type ConditionReading =
  /** `error_rate > 0.05`: the threshold as a fraction, null when it could not be read as one. */
  | { means: 'failure_rate'; threshold: number | null }
  /** `disk_free < 1GB`: the hosts' disks, which opsdeck does not watch. */
  | { means: 'disk' };

const CONDITION = /^\s*([A-Za-z_][\w.]*)\s*(?:[<>]=?|==)\s*(.+?)\s*$/;

function fraction(text: string): number | null {
  const percent = text.endsWith('%');
  const n = Number(percent ? text.slice(0, -1) : text);
  if (!Number.isFinite(n)) return null;
  const value = percent ? n / 100 : n;
  return value > 0 && value <= 1 ? value : null;
}

export function readCondition(condition: unknown): ConditionReading | null {
  if (typeof condition !== 'string') return null;
  const match = CONDITION.exec(condition);
  const metric = match?.[1]?.toLowerCase();
  if (!match || metric === undefined) return null;
  if (/disk|free_space|storage/.test(metric)) return { means: 'disk' };
  if (/(error|failure|fail)_?rate/.test(metric)) return { means: 'failure_rate', threshold: fraction(match[2] ?? '') };
  return null;
}

const NO_DISK_KIND = "opsdeck has no disk-space kind: it watches jobs, queues and workers, not the hosts' disks";
const RUNBOOK_EXAMPLE = 'a runbook condition "error_rate > 0.05" is kind: failure_rate with threshold: 0.05';

/** What a runbook's condition is written as here, or why there is nothing to write. */
export function conditionAdvice(condition: unknown): string {
  const reading = readCondition(condition);
  if (reading?.means === 'failure_rate') {
    const threshold = reading.threshold === null ? 'threshold: a fraction of attempts (0.05 = 5%)' : `threshold: ${reading.threshold}`;
    return `"${String(condition)}" is kind: failure_rate with ${threshold}`;
  }
  if (reading?.means === 'disk') return NO_DISK_KIND;
  return `a rule names its kind and its numbers, not a condition (${RUNBOOK_EXAMPLE})`;
}

/** A rule whose kind is missing or unknown: the kinds there are, and what its condition, if any, is here. */
export function kindProblem(rule: unknown, kinds: readonly string[]): string {
  const condition = typeof rule === 'object' && rule !== null ? Reflect.get(rule, 'condition') : undefined;
  const reading = readCondition(condition);
  const allowed = `kind must be one of ${kinds.join(', ')}`;
  if (reading?.means === 'disk') return `${NO_DISK_KIND}; ${allowed}`;
  return reading?.means === 'failure_rate' ? `${allowed} (a runbook condition ${conditionAdvice(condition)})` : `${allowed} (${RUNBOOK_EXAMPLE})`;
}

/** The runbooks' e-mail, which opsdeck sends through a webhook (README, "Alerts"). */
export const NO_EMAIL = 'there is no e-mail channel: point a webhook at your mail relay';

export function isEmail(value: unknown): boolean {
  return typeof value === 'string' && /^(send_)?(e-?)?mail$|^smtp$/i.test(value);
}

/** A failure-rate threshold above 1, most likely a percentage: the fraction it should be. */
export function thresholdProblem(value: unknown): string {
  const said = 'the threshold is a fraction of attempts (0.05 = 5%), at most 1';
  return typeof value === 'number' && value > 1 && value <= 100 ? `${said}: for ${value}% write ${value / 100}` : said;
}
