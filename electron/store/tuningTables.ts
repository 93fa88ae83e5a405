import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { BreakerTuning } from '../../shared/breakerTuning.ts';
import type { JsonObject } from '../../shared/domain.ts';
import type { ServiceGate } from '../../shared/rateLimit.ts';
import { RateLimitTuning, rateLimitStep, type RateLimitChange, type RateLimitOverrides } from '../../shared/rateLimitTuning.ts';

/** One operator's run-time settings for a service, laid over the registry's by every worker. */
export interface Tuning {
  service_name: string;
  settings: JsonObject;
  set_by: string;
  set_at: string;
  reason: string | null;
}

/** Where each kind of tuning is kept (each dialect's table of that name) and how it is audited. */
export interface TuningTable<T extends Tuning> {
  table: string;
  action: string;
  schema: z.ZodType<T>;
}

export const BREAKER_TUNINGS: TuningTable<BreakerTuning> = { table: 'tb_breaker_tuning', action: 'breaker.tune', schema: BreakerTuning };
export const RATE_LIMIT_TUNINGS: TuningTable<RateLimitTuning> = { table: 'tb_rate_limit_tuning', action: 'rate_limit.tune', schema: RateLimitTuning };

/** A rate limit change as the store takes it: decided from the stored tuning, the budget in force before and after in its audit row. */
export function rateLimitTuningChange(service: string, change: RateLimitChange, base: ServiceGate | null): TuningChange<RateLimitOverrides> {
  return (stored) => {
    const step = rateLimitStep(service, base ?? undefined, stored, change);
    return { settings: step.settings, details: { in_force_before: step.before, in_force_after: step.after } };
  };
}

/** A breaker's tuning as the store takes it: the settings given, nothing besides. */
export function settingsChange<S>(settings: S | null): TuningChange<S> {
  return () => ({ settings, details: {} });
}

/**
 * What a call asks of a service's tuning, decided under the store's lock from the settings stored now (null:
 * none): the keys to lay over them (null forgets the tuning), and what the audit row says besides.
 */
export type TuningChange<S> = (stored: S | null) => { settings: S | null; details: JsonObject };

/** The tuning after a call, and whether the call changed it: a repeat changes nothing and is not audited. */
export interface Tuned<T> {
  tuning: T | null;
  changed: boolean;
}

/** The settings to store after `settings` is laid over `stored` (null: forget them), or 'unchanged'. */
export function nextSettings<S extends JsonObject>(stored: S | null, settings: S | null): { next: S | null } | 'unchanged' {
  if (settings === null) return stored === null ? 'unchanged' : { next: null };
  const next = { ...stored, ...settings };
  return stored !== null && isDeepStrictEqual(next, stored) ? 'unchanged' : { next };
}
