import { z } from 'zod';
import { Timestamp } from './domain.ts';
import { formatPeriod, periodMs, RatePeriod, RateUse } from './rateLimit.ts';
import type { ServiceGate } from './rateLimit.ts';

/**
 * A service's call budget as an operator set it at run time (`opsdeck rate-limit tune`, the runbooks'
 * "reduce worker budgets temporarily"), stored beside the breakers so every worker of the fleet holds
 * the same numbers. Only the keys given are tuned; the rest stay as the registry says.
 */
export const RateLimitOverrides = z
  .object({
    limit: z.number().int().min(1).max(100_000),
    per: RatePeriod,
    max_concurrent: z.number().int().min(1).max(10_000),
  })
  .partial()
  .strict();
export type RateLimitOverrides = z.infer<typeof RateLimitOverrides>;

export const RateLimitTuning = z.object({
  service_name: z.string(),
  settings: RateLimitOverrides,
  set_by: z.string(),
  set_at: Timestamp,
  reason: z.string().nullable(),
});
export type RateLimitTuning = z.infer<typeof RateLimitTuning>;

/** A budget as numbers: what the registry says, or what is in force with a tuning on top. */
export const RateBudget = z.object({
  limit: z.number().int().nullable(),
  per_ms: z.number().nullable(),
  max_concurrent: z.number().int().nullable(),
});
export type RateBudget = z.infer<typeof RateBudget>;

/**
 * What an operator asks of a service's budget: numbers laid over the tuning (null forgets it), or the budget
 * in force scaled. The store decides it under its lock, against the registry's gate the caller has.
 */
export type RateLimitChange = { settings: RateLimitOverrides | null } | { scale: number };

/**
 * The settings a change lays over `stored`, and the budget in force before and after it, given the
 * registry's gate (`base`): pure, so the store can decide it under its lock.
 */
export function rateLimitStep(
  service: string,
  base: ServiceGate | undefined,
  stored: RateLimitOverrides | null,
  change: RateLimitChange,
): { settings: RateLimitOverrides | null; before: RateBudget | null; after: RateBudget | null } {
  const before = budgetOf(tunedGate(service, base, stored ?? undefined));
  const none = { limit: null, per_ms: null, max_concurrent: null };
  const settings = 'scale' in change ? scaledBudget(before ?? none, change.scale) : change.settings;
  const after = budgetOf(settings === null ? (base ?? null) : tunedGate(service, base, { ...stored, ...settings }));
  return { settings, before, after };
}

/** A service's budget in use now, with the registry's own numbers and the tuning that changed them. */
export const RateLimitView = RateUse.extend({
  /** The registry's budget; null when the registry gives the service none. */
  registry: RateBudget.nullable(),
  /** What an operator tuned at run time (limit, per_ms and max_concurrent above include it). */
  tuning: RateLimitTuning.nullable(),
});
export type RateLimitView = z.infer<typeof RateLimitView>;

/** What a tuning call answers: the budget now, and whether the call changed it (a repeat changes nothing). */
export const RateLimitTuned = RateLimitView.extend({ changed: z.boolean() });
export type RateLimitTuned = z.infer<typeof RateLimitTuned>;

/** The registry's gate with an operator's tuned settings on top, key by key; null when neither gates the service. */
export function tunedGate(service: string, base: ServiceGate | undefined, tuned: RateLimitOverrides | undefined): ServiceGate | null {
  const settings = tuned ?? {};
  const limit = settings.limit ?? base?.limit ?? null;
  const maxConcurrent = settings.max_concurrent ?? base?.maxConcurrent ?? null;
  if (limit === null && maxConcurrent === null) return null;
  const perMs = settings.per === undefined ? (base?.perMs ?? 1000) : periodMs(settings.per);
  return { service, limit, perMs, maxConcurrent };
}

/** Every gate in force: the registry's, each with its tuning on top, and the services only a tuning gates. */
export function tunedGates(gates: ServiceGate[], tunings: ReadonlyArray<RateLimitTuning>): ServiceGate[] {
  if (tunings.length === 0) return gates;
  const byService = new Map(tunings.map((t) => [t.service_name, t]));
  const out: ServiceGate[] = [];
  for (const gate of gates) {
    const tuned = tunedGate(gate.service, gate, byService.get(gate.service)?.settings);
    byService.delete(gate.service);
    if (tuned) out.push(tuned);
  }
  for (const tuning of byService.values()) {
    const tuned = tunedGate(tuning.service_name, undefined, tuning.settings);
    if (tuned) out.push(tuned);
  }
  return out;
}

/**
 * What is wrong with tuning `given` over `current` (the budget in force now), or null. A rate needs both a
 * limit and a period; `scale` multiplies what is in force and cannot be given beside numbers.
 */
export function tuningProblem(service: string, current: RateBudget, given: RateLimitOverrides, scale: number | undefined): string | null {
  if (scale !== undefined && Object.keys(given).length > 0) return 'give either a scale or new numbers (limit, per, max_concurrent), not both';
  if (scale !== undefined && current.limit === null && current.max_concurrent === null) {
    return `${service} has no rate limit or max_concurrent to scale: set a limit and its period (per), or max_concurrent`;
  }
  if (given.per !== undefined && given.limit === undefined && current.limit === null) {
    return `${service} has no rate limit: give a limit with the period (per)`;
  }
  if (given.limit !== undefined && given.per === undefined && current.per_ms === null) {
    return `${service} has no rate limit yet: give its period (per) with the limit, e.g. ${given.limit} per 1m`;
  }
  return null;
}

/** `scale` times the budget in force, each number at least 1: "halve the limits" is `scale` 0.5. */
export function scaledBudget(current: RateBudget, scale: number): RateLimitOverrides {
  const scaled = (n: number) => Math.max(1, Math.round(n * scale));
  return {
    ...(current.limit === null ? {} : { limit: Math.min(100_000, scaled(current.limit)) }),
    ...(current.max_concurrent === null ? {} : { max_concurrent: Math.min(10_000, scaled(current.max_concurrent)) }),
  };
}

/** A gate as the numbers the console shows. */
export function budgetOf(gate: ServiceGate | null | undefined): RateBudget | null {
  if (!gate) return null;
  return { limit: gate.limit, per_ms: gate.limit === null ? null : gate.perMs, max_concurrent: gate.maxConcurrent };
}

/** A service nothing gates, as the views show it. */
export function ungatedView(service: string): RateLimitView {
  return {
    service_name: service,
    limit: null,
    per_ms: null,
    used: 0,
    max_concurrent: null,
    running: 0,
    paused_until: null,
    pause_reason: null,
    waiting_reason: null,
    registry: null,
    tuning: null,
  };
}

/** A budget in words: `20 per 1s, 4 running at most`, or `none`. */
export function budgetText(budget: RateBudget | null): string {
  if (!budget) return 'none';
  const parts: string[] = [];
  if (budget.limit !== null && budget.per_ms !== null) parts.push(`${budget.limit} per ${formatPeriod(budget.per_ms)}`);
  if (budget.max_concurrent !== null) parts.push(`${budget.max_concurrent} running at most`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}
