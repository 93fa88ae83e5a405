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

/** A queue's bars: what waits and runs, stacked, and its open dead letters beside them. */
export interface QueueDepthPoint {
  queue: string;
  due: number;
  not_due: number;
  /** Pending jobs of a queue whose jobs not yet due were not counted: due or not, undivided. */
  pending: number;
  running: number;
  dead_letters: number;
}

/**
 * One bar per queue of its backlog (due, not yet due, running) and one of its open dead letters: every
 * failed job still kept, resolved ones among them, would bury the backlog under history. A paused queue
 * says so in its label, since the bar's colour cannot.
 */
export function queueDepthPoints(stats: OverviewStats): QueueDepthPoint[] {
  return stats.queues.map((q) => {
    // The two counts are read apart: a few jobs falling due in between must not make the due ones negative.
    const notDue = q.scheduled === null ? 0 : Math.min(q.scheduled, q.pending);
    return {
      queue: q.paused ? `${q.queue} (paused)` : q.queue,
      due: q.scheduled === null ? 0 : q.pending - notDue,
      not_due: notDue,
      pending: q.scheduled === null ? q.pending : 0,
      running: q.running,
      dead_letters: q.dead_letters,
    };
  });
}

/** Latency per execution type that ran in the window; a type with no job has no bar rather than a zero. */
export function latencyPoints(series: OverviewSeries): Array<{ type: string; p50: number | null; p95: number | null; count: number }> {
  return series.latency.filter((l) => l.count > 0).map((l) => ({ type: l.execution_type, p50: l.p50_ms, p95: l.p95_ms, count: l.count }));
}
