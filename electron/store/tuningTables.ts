import type { z } from 'zod';
import { BreakerTuning } from '../../shared/breakerTuning.ts';
import type { JsonObject } from '../../shared/domain.ts';
import { RateLimitTuning, type BudgetChange } from '../../shared/rateLimitTuning.ts';

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

/** The budget in force around a rate limit tuning, as its audit entry keeps it. */
export function inForceDetails(change: BudgetChange | undefined): JsonObject {
  return change ? { in_force_before: change.before, in_force_after: change.after } : {};
}
