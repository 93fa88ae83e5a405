import { formatPeriod, type RateUse } from '../../../../shared/rateLimit.ts';

/** The rate limit in use beside a breaker: `7 / 10 per 1s`, `2 / 2 running`; empty when the service has none. */
export function rateUseParts(rate: RateUse | null | undefined): string[] {
  if (!rate) return [];
  const parts: string[] = [];
  if (rate.limit !== null && rate.per_ms !== null) parts.push(`${rate.used} / ${rate.limit} per ${formatPeriod(rate.per_ms)}`);
  if (rate.max_concurrent !== null) parts.push(`${rate.running} / ${rate.max_concurrent} running`);
  return parts;
}
