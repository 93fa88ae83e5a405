import type { BreakerView } from '../../../../shared/contract.ts';
import { BreakerOverrides } from '../../../../shared/registry.ts';

export interface TuningFields {
  failure_threshold: number;
  recovery_timeout: number;
  minimum_volume: number;
}

const KEYS = ['failure_threshold', 'recovery_timeout', 'minimum_volume'] as const;

const LABELS: Record<keyof TuningFields, string> = {
  failure_threshold: 'Failure threshold',
  recovery_timeout: 'Recovery timeout',
  minimum_volume: 'Minimum volume',
};

/**
 * What the tuning form would store: the fields whose value differs from the breaker's current one, checked
 * against the same schema the store checks, or the first problem in words naming the field.
 */
export function tuningChanges(fields: Record<keyof TuningFields, string>, breaker: BreakerView): { settings: Partial<TuningFields> } | { problem: string } {
  const current: TuningFields = { failure_threshold: breaker.failure_threshold, recovery_timeout: breaker.recovery_timeout_s, minimum_volume: breaker.minimum_volume };
  const settings: Partial<TuningFields> = {};
  for (const key of KEYS) {
    const text = fields[key].trim();
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) return { problem: `${LABELS[key]} must be a number` };
    if (key === 'recovery_timeout' ? value <= 0 : !Number.isInteger(value) || value < 1) {
      return { problem: `${LABELS[key]} must be ${key === 'recovery_timeout' ? 'more than 0 seconds' : 'a whole number, 1 or more'}` };
    }
    if (value !== current[key]) settings[key] = value;
  }
  if (Object.keys(settings).length === 0) return { problem: 'Nothing changed: edit a value, or go back to the registry\'s settings' };
  const parsed = BreakerOverrides.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path[0];
    const label = KEYS.find((k) => k === key);
    return { problem: `${label ? LABELS[label] : 'A value'}: ${issue?.message ?? 'not allowed'}` };
  }
  return { settings };
}
