import type { PerformanceByType, PerformanceFigures, ServicePerformance, TypePerformance } from '../../shared/contract.ts';
import { EXECUTION_TYPES } from '../../shared/domain.ts';
import { windowText } from '../../shared/duration.ts';
import { percentileOf } from '../../shared/latencyBuckets.ts';
import { durationMs } from '../../shared/retention.ts';
import type { ServiceRollups, TypeRollups } from '../store/store.ts';

/** What one type (or all of them) adds up to before the figures are derived. */
interface Sums {
  completed: number;
  failed: number;
  retried: number;
  buckets: Map<number, number>;
}

function emptySums(): Sums {
  return { completed: 0, failed: 0, retried: 0, buckets: new Map() };
}

function addBucket(sums: Sums, bucket: number, n: number): void {
  sums.buckets.set(bucket, (sums.buckets.get(bucket) ?? 0) + n);
}

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;
const ms = (value: number | null) => (value === null ? null : round(value, 1));

function figures(sums: Sums, minutes: number): PerformanceFigures {
  const finished = sums.completed + sums.failed;
  return {
    completed: sums.completed,
    failed: sums.failed,
    retried: sums.retried,
    success_rate: finished === 0 ? null : round(sums.completed / finished, 4),
    p50_ms: ms(percentileOf(sums.buckets, 0.5)),
    p95_ms: ms(percentileOf(sums.buckets, 0.95)),
    p99_ms: ms(percentileOf(sums.buckets, 0.99)),
    per_minute: round(finished / minutes, 2),
  };
}

/** The kinds in their own order (shared/domain.ts), any other name the rollups hold after them. */
function typeOrder(a: string, b: string): number {
  const rank = (t: string) => {
    const i = (EXECUTION_TYPES as readonly string[]).indexOf(t);
    return i === -1 ? EXECUTION_TYPES.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/**
 * `metrics.byType` from the rollups of [since, until): per type and in total. The total's percentiles come
 * from every type's buckets merged, never from the types' percentiles (which cannot be combined). Jobs per
 * minute divide by the window as it elapsed, the current minute's part included, so a window that began
 * at a whole minute before `since_minutes` ago is not read as busier than it was.
 */
export function performanceOf(rollups: TypeRollups, since: Date, until: Date, type?: string): PerformanceByType {
  const minutes = Math.max(1, (until.getTime() - since.getTime()) / 60_000);
  const byType = new Map<string, Sums>();
  const total = emptySums();
  const sumsOf = (name: string) => {
    let sums = byType.get(name);
    if (!sums) {
      sums = emptySums();
      byType.set(name, sums);
    }
    return sums;
  };
  for (const row of rollups.outcomes) {
    if (type !== undefined && row.execution_type !== type) continue;
    for (const sums of [sumsOf(row.execution_type), total]) {
      sums.completed += row.completed;
      sums.failed += row.failed;
      sums.retried += row.retried;
    }
  }
  for (const row of rollups.latency) {
    if (type !== undefined && row.execution_type !== type) continue;
    addBucket(sumsOf(row.execution_type), row.bucket, row.n);
    addBucket(total, row.bucket, row.n);
  }
  const types: TypePerformance[] = [...byType.keys()]
    .sort(typeOrder)
    .map((name) => ({ execution_type: name, ...figures(byType.get(name) ?? emptySums(), minutes) }));
  return { since: since.toISOString(), until: until.toISOString(), types, total: figures(total, minutes) };
}

/**
 * `metrics.byType` with its figures per service as well, from rollups kept per type and service (one
 * service's, or every one's): the types and the total as performanceOf gives them from the same rows, and a
 * row per service and the type its jobs ran as (a service whose kind changed has one for each), by name.
 */
export function servicePerformanceOf(rollups: ServiceRollups, since: Date, until: Date, type?: string): PerformanceByType {
  const minutes = Math.max(1, (until.getTime() - since.getTime()) / 60_000);
  const byService = new Map<string, { service_name: string; execution_type: string; sums: Sums }>();
  const sumsOf = (row: { service_name: string; execution_type: string }) => {
    // A NUL never appears in a service or type name (shared/inputText.ts), so it cannot make two keys one.
    const key = `${row.service_name}\u0000${row.execution_type}`;
    let entry = byService.get(key);
    if (!entry) {
      entry = { service_name: row.service_name, execution_type: row.execution_type, sums: emptySums() };
      byService.set(key, entry);
    }
    return entry.sums;
  };
  for (const row of rollups.outcomes) {
    if (type !== undefined && row.execution_type !== type) continue;
    const sums = sumsOf(row);
    sums.completed += row.completed;
    sums.failed += row.failed;
    sums.retried += row.retried;
  }
  for (const row of rollups.latency) {
    if (type === undefined || row.execution_type === type) addBucket(sumsOf(row), row.bucket, row.n);
  }
  const services: ServicePerformance[] = [...byService.values()]
    .map(({ service_name, execution_type, sums }) => ({ service_name, execution_type, ...figures(sums, minutes) }))
    .sort((a, b) => a.service_name.localeCompare(b.service_name) || typeOrder(a.execution_type, b.execution_type));
  return { ...performanceOf(rollups, since, until, type), services };
}

/** The window's start: the whole minute `sinceMinutes` before `now`, as the rollups count by the minute. */
export function windowStart(now: Date, sinceMinutes: number): Date {
  return new Date(Math.floor((now.getTime() - sinceMinutes * 60_000) / 60_000) * 60_000);
}

/**
 * Why a window of `sinceMinutes` cannot be read, or null: it reaches past the per-minute history kept
 * (`history`, the retention's text), so its oldest part would read as quiet when it was only pruned.
 */
export function windowRefusal(sinceMinutes: number, history: string): string | null {
  const kept = Math.floor(durationMs(history) / 60_000);
  if (sinceMinutes <= kept) return null;
  return `a window of ${windowText(sinceMinutes)} reaches past the per-minute history, kept ${history} (the registry's retention.history): at most ${windowText(kept)}`;
}
