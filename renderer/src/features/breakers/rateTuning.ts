import { formatPeriod, periodMs } from '../../../../shared/rateLimit.ts';
import { RateLimitOverrides, tuningProblem, type RateLimitView } from '../../../../shared/rateLimitTuning.ts';

export interface RateFields {
  limit: string;
  per: string;
  max_concurrent: string;
}

const LABELS: Record<keyof RateFields, string> = { limit: 'Limit', per: 'Period', max_concurrent: 'Max concurrent' };

/** The form as it opens: the budget in force, blank where the service has none. */
export function rateFields(view: RateLimitView): RateFields {
  return {
    limit: view.limit === null ? '' : String(view.limit),
    per: view.per_ms === null ? '' : formatPeriod(view.per_ms),
    max_concurrent: view.max_concurrent === null ? '' : String(view.max_concurrent),
  };
}

function wholeOrBlank(text: string): number | null | 'bad' {
  if (text === '') return null;
  return /^\d+$/.test(text) && Number(text) >= 1 ? Number(text) : 'bad';
}

/**
 * What the form would store: the numbers that differ from those in force, checked against the schema the
 * store checks and the rule that a rate needs a limit and a period, or the first problem naming its field.
 */
export function rateTuningChanges(fields: RateFields, view: RateLimitView): { settings: RateLimitOverrides } | { problem: string } {
  const settings: RateLimitOverrides = {};
  const limit = wholeOrBlank(fields.limit.trim());
  const maxConcurrent = wholeOrBlank(fields.max_concurrent.trim());
  if (limit === 'bad') return { problem: `${LABELS.limit} must be a whole number, 1 or more` };
  if (maxConcurrent === 'bad') return { problem: `${LABELS.max_concurrent} must be a whole number, 1 or more` };
  if ((limit === null && view.limit !== null) || (maxConcurrent === null && view.max_concurrent !== null)) {
    return { problem: "A budget in force cannot be blanked here: lower it, or go back to the registry's settings" };
  }
  if (limit !== null && limit !== view.limit) settings.limit = limit;
  if (maxConcurrent !== null && maxConcurrent !== view.max_concurrent) settings.max_concurrent = maxConcurrent;
  const per = fields.per.trim();
  if (per !== '') {
    const ms = /^\d+(\.\d+)?(ms|s|m|h)$/.test(per) ? periodMs(per) : Number.NaN;
    if (Number.isNaN(ms)) return { problem: `${LABELS.per} must be a period such as 1s, 500ms, 1m or 1h` };
    if (ms !== view.per_ms) settings.per = per;
  }
  if (Object.keys(settings).length === 0) return { problem: "Nothing changed: edit a value, halve the budget, or go back to the registry's settings" };
  const parsed = RateLimitOverrides.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path[0];
    const label = key === 'limit' || key === 'per' || key === 'max_concurrent' ? LABELS[key] : 'A value';
    return { problem: `${label}: ${issue?.message ?? 'not allowed'}` };
  }
  const problem = tuningProblem(view.service_name, view, settings, undefined);
  return problem ? { problem } : { settings };
}
