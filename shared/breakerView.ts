/** A breaker as every surface shows it (electron/engine/breakerView.ts builds it). contract.ts re-exports it. */
import { z } from 'zod';
import { BreakerTuning } from './breakerTuning.ts';
import { BreakerMode, BreakerState, Timestamp } from './domain.ts';
import { RateLimitView } from './rateLimitTuning.ts';

export const BreakerView = z.object({
  service_name: z.string(),
  state: BreakerState,
  mode: BreakerMode,
  failures_in_window: z.number().int(),
  calls_in_window: z.number().int(),
  failure_threshold: z.number().int(),
  minimum_volume: z.number().int(),
  recovery_timeout_s: z.number(),
  /** Seconds until an open breaker lets probes through; null unless open in auto mode. */
  half_open_in_s: z.number().nullable(),
  /** Probe jobs of a half-open breaker running now. */
  probes_in_flight: z.number().int(),
  /**
   * A half-open breaker no probe runs for, in words: since when, that it waits for a job of the service to
   * probe it, and how to check the service by hand (shared/breakerRecord.ts, waitingForProbeText); else null.
   */
  waiting_for_probe: z.string().nullable(),
  opened_at: Timestamp.nullable(),
  last_transition_at: Timestamp.nullable(),
  last_error: z.string().nullable(),
  mode_set_by: z.string().nullable(),
  mode_set_at: Timestamp.nullable(),
  mode_reason: z.string().nullable(),
  waiting_jobs: z.number().int(),
  /** Whether a reset would change it: a forced mode, a trip, or failures to clear (resetClears, shared/breakerRecord.ts). */
  reset_clears: z.boolean(),
  /** What an operator tuned at run time (the numbers above include it); null: the registry's values. */
  tuning: BreakerTuning.nullable(),
  /** The registry's own values, to show beside tuned ones. */
  registry_settings: z.object({ failure_threshold: z.number().int(), recovery_timeout_s: z.number(), minimum_volume: z.number().int() }),
  /** The service's rate limit and max_concurrent in use now; null when it has neither and no pause. */
  rate: RateLimitView.nullable().optional(),
});
export type BreakerView = z.infer<typeof BreakerView>;
/** A breaker after a tune, and whether the tune changed anything: a repeat changes nothing and is not audited. */
export const BreakerTuned = BreakerView.extend({ changed: z.boolean() });
/** A breaker after its mode was set, and whether that changed it: a mode asked again changes nothing and is not audited. */
export const BreakerModeSet = BreakerView.extend({ changed: z.boolean() });
