import { z } from 'zod';

/**
 * How long finished jobs are kept (the registry's `retention:`). Completed and cancelled jobs go after a
 * week by default; dead letters an operator resolved after a month. A dead letter nobody resolved is never
 * pruned: it is a failure someone still has to look at. The per-minute history behind the charts is kept
 * for `history`, whatever happens to the jobs. The audit log is kept for good.
 */
const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const RetentionDuration = z
  .string()
  .regex(/^\d+(\.\d+)?(m|h|d)$/, 'must be a duration such as 90m, 12h or 7d')
  .refine((text) => durationMs(text) >= 60_000, 'must be at least 1m');

export const Retention = z
  .object({
    completed: RetentionDuration.default('7d'),
    cancelled: RetentionDuration.default('7d'),
    dead_letters: RetentionDuration.default('30d'),
    history: RetentionDuration.default('30d'),
    /** Pruning in the background; `opsdeck prune` works either way. */
    enabled: z.boolean().default(true),
  })
  .strict();
export type Retention = z.infer<typeof Retention>;

export const DEFAULT_RETENTION: Retention = Retention.parse({});

/** Milliseconds in a duration such as `7d`; NaN for text that is not one. */
export function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|h|d)$/.exec(text);
  if (!match?.[1] || !match[2]) return Number.NaN;
  const unit = match[2];
  return unit === 'm' || unit === 'h' || unit === 'd' ? Number(match[1]) * UNITS[unit] : Number.NaN;
}

/** What is older than these goes: the cutoff of each kind, counted back from `now`. */
export interface PruneCutoffs {
  completed: Date;
  cancelled: Date;
  /** Resolved dead letters, by when they were resolved. */
  deadLetters: Date;
  history: Date;
}

export function pruneCutoffs(retention: Retention, now: Date): PruneCutoffs {
  const before = (text: string) => new Date(now.getTime() - durationMs(text));
  return {
    completed: before(retention.completed),
    cancelled: before(retention.cancelled),
    deadLetters: before(retention.dead_letters),
    history: before(retention.history),
  };
}
