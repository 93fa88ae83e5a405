import { z } from 'zod';
import { Timestamp } from './domain.ts';
import { BreakerOverrides, CircuitBreakerConfig } from './registry.ts';

/**
 * A breaker's settings as an operator tuned them at run time (`opsdeck breaker tune`), stored beside the
 * breakers so every worker of the fleet obeys the same numbers. Only the keys given are tuned; the rest
 * stay as the registry says.
 */
export const BreakerTuning = z.object({
  service_name: z.string(),
  settings: BreakerOverrides,
  set_by: z.string(),
  set_at: Timestamp,
  reason: z.string().nullable(),
});
export type BreakerTuning = z.infer<typeof BreakerTuning>;

/** The registry's settings with an operator's tuning on top, key by key. */
export function tunedBreaker(base: CircuitBreakerConfig, tuning: BreakerTuning | undefined): CircuitBreakerConfig {
  if (!tuning || Object.keys(tuning.settings).length === 0) return base;
  return CircuitBreakerConfig.parse({ ...base, ...tuning.settings });
}
