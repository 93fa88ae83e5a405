import type { OverviewSeries, OverviewStats } from '../../../../shared/contract.ts';

export interface ThroughputPoint {
  at: string;
  completed: number;
  failed: number;
}

/** Buckets as jobs per minute, whatever the bucket's width, rounded to what a chart can show. */
export function throughputPoints(series: OverviewSeries): ThroughputPoint[] {
  const perMinute = 60 / series.bucket_seconds;
  return series.throughput.map((b) => ({
    at: b.at,
    completed: +(b.completed * perMinute).toFixed(2),
    failed: +(b.failed * perMinute).toFixed(2),
  }));
}

/** One bar per queue; a paused queue says so in its label, since the bar's colour cannot. */
export function queueDepthPoints(stats: OverviewStats): Array<{ queue: string; pending: number; running: number; failed: number }> {
  return stats.queues.map((q) => ({ queue: q.paused ? `${q.queue} (paused)` : q.queue, pending: q.pending, running: q.running, failed: q.failed }));
}

/** Latency per execution type that ran in the window; a type with no job has no bar rather than a zero. */
export function latencyPoints(series: OverviewSeries): Array<{ type: string; p50: number | null; p95: number | null; count: number }> {
  return series.latency.filter((l) => l.count > 0).map((l) => ({ type: l.execution_type, p50: l.p50_ms, p95: l.p95_ms, count: l.count }));
}
