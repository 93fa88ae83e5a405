import { z } from 'zod';
import { timeToCome } from './timesInText.ts';

/**
 * A service's call budget (the registry's `rate_limit: { limit: 100, per: 1m }` and `max_concurrent: N`),
 * held across every worker sharing the store. Jobs over it wait pending; they never fail for it.
 */
const PER_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `per` as written: `1s`, `500ms`, `1m`, `1h` (a bare number is seconds). */
export const RatePeriod = z
  .union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'must be a period such as 1s, 500ms, 1m or 1h')])
  .refine((value) => periodMs(value) >= 100 && periodMs(value) <= 86_400_000, 'must be between 100ms and 24h');

export const RateLimitConfig = z
  .object({
    limit: z.number().int().min(1).max(100_000),
    per: RatePeriod,
  })
  .strict();
export type RateLimitConfig = z.infer<typeof RateLimitConfig>;

export function periodMs(per: number | string): number {
  if (typeof per === 'number') return per * 1000;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(per);
  const unit = match?.[2] === undefined ? undefined : PER_UNITS_MS[match[2]];
  return match?.[1] === undefined || unit === undefined ? Number.NaN : Number(match[1]) * unit;
}

/** What a claim must respect for one service: the store checks it inside the claim's transaction. */
export interface ServiceGate {
  service: string;
  /** Starts allowed in any window of `perMs`; null: no rate limit. */
  limit: number | null;
  perMs: number;
  /** Jobs running at once across the fleet; null: no cap. */
  maxConcurrent: number | null;
}

/** One service's budget in use now (`rateLimits.list`, the breakers' view, `opsdeck breaker list`). */
export const RateUse = z.object({
  service_name: z.string(),
  limit: z.number().int().nullable(),
  per_ms: z.number().nullable(),
  /** Starts in the last `per_ms`. */
  used: z.number().int(),
  max_concurrent: z.number().int().nullable(),
  running: z.number().int(),
  /** An upstream's 429 + Retry-After paused the service's calls fleet-wide until then. */
  paused_until: z.string().nullable(),
  pause_reason: z.string().nullable(),
  /** Why its due jobs wait now; null when they may start. */
  waiting_reason: z.string().nullable(),
});
export type RateUse = z.infer<typeof RateUse>;

/** A service's calls paused fleet-wide after an upstream answered 429 with Retry-After. */
export interface ServicePause {
  service_name: string;
  until: string;
  reason: string;
}

/** Why a gated service's jobs wait now, or null: what the console shows beside a pending job. */
export function waitingReason(use: Omit<RateUse, 'waiting_reason'>, now: Date): string | null {
  if (use.paused_until !== null && Date.parse(use.paused_until) > now.getTime()) {
    return `paused until ${timeToCome(use.paused_until, now)}: ${use.pause_reason ?? 'the upstream asked to wait (429)'}`;
  }
  if (use.limit !== null && use.per_ms !== null && use.used >= use.limit) {
    return `rate limit reached: ${use.used} of ${use.limit} per ${formatPeriod(use.per_ms)}`;
  }
  if (use.max_concurrent !== null && use.running >= use.max_concurrent) {
    return `max_concurrent reached: ${use.running} of ${use.max_concurrent} running`;
  }
  return null;
}

export function formatPeriod(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
