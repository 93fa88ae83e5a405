import { COUNT_CAP, THROUGHPUT_WINDOW_MIN, type OverviewStats } from '../../../shared/contract.ts';
import type { JobStatus } from '../../../shared/domain.ts';
import type { Store } from '../../store/store.ts';
import type { Handlers } from '../handlerTypes.ts';

type QueueRow = OverviewStats['queues'][number];

function emptyCounts(): Record<JobStatus, number> {
  return { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, waiting: 0, blocked: 0 };
}

/** Seconds since `runAt`; null when it is still to come: a job scheduled for later is not waiting yet. */
function waitedSeconds(runAt: string, now: Date): number | null {
  const at = Date.parse(runAt);
  return Number.isNaN(at) || at > now.getTime() ? null : Math.round((now.getTime() - at) / 1000);
}

/** The overview's numbers, from store reads only; the event feed's stats.tick sends the same. */
export async function computeStats(store: Store, now = new Date()): Promise<OverviewStats> {
  const hourAgo = new Date(now.getTime() - 3600_000);
  const recentAgo = new Date(now.getTime() - THROUGHPUT_WINDOW_MIN * 60_000);
  const [rows, buckets, recent, deadLetters, oldest, oldestByQueue, stuck, scheduledByQueue, control] = await Promise.all([
    store.countsByQueueAndStatus(),
    store.throughput(hourAgo, 3600),
    store.throughput(recentAgo, THROUGHPUT_WINDOW_MIN * 60),
    store.deadLettersByQueue(),
    store.oldestPendingRunAt(),
    store.oldestPendingByQueue(),
    store.stuckCount(),
    store.scheduledByQueue(COUNT_CAP + 1),
    store.getControl(),
  ]);
  const scheduled = Object.values(scheduledByQueue).reduce((sum, n) => sum + n, 0);
  // Past COUNT_CAP the count stopped somewhere among the queues: none of theirs is said.
  const scheduledOf = (queue: string) => (scheduled > COUNT_CAP ? null : (scheduledByQueue[queue] ?? 0));
  const counts = emptyCounts();
  const queues = new Map<string, QueueRow>();
  const paused = new Set(control.paused_queues.map((p) => p.queue));
  const queueRow = (queue: string): QueueRow => {
    let row = queues.get(queue);
    if (!row) {
      row = { queue, ...emptyCounts(), paused: paused.has(queue), oldest_due_age_s: null, scheduled: scheduledOf(queue), dead_letters: deadLetters[queue] ?? 0 };
      queues.set(queue, row);
    }
    return row;
  };
  for (const r of rows) {
    counts[r.status] += r.count;
    queueRow(r.queue)[r.status] += r.count;
  }
  for (const queue of paused) queueRow(queue);
  for (const { queue, run_at } of oldestByQueue ?? []) queueRow(queue).oldest_due_age_s = waitedSeconds(run_at, now);
  const completed = buckets.reduce((sum, b) => sum + b.completed, 0);
  const failed = buckets.reduce((sum, b) => sum + b.failed, 0);
  return {
    counts,
    queues: [...queues.values()].sort((a, b) => a.queue.localeCompare(b.queue)),
    completed_last_hour: completed,
    failed_last_hour: failed,
    dead_letters: Object.values(deadLetters).reduce((sum, n) => sum + n, 0),
    failure_rate: completed + failed === 0 ? null : failed / (completed + failed),
    oldest_pending_age_s: oldest === null ? null : waitedSeconds(oldest, now),
    queue_ages_read: oldestByQueue !== null,
    scheduled: Math.min(scheduled, COUNT_CAP),
    scheduled_capped: scheduled > COUNT_CAP,
    throughput_per_min: Math.round((recent.reduce((sum, b) => sum + b.completed, 0) / THROUGHPUT_WINDOW_MIN) * 100) / 100,
    stuck,
    control,
    at: now.toISOString(),
  };
}

export const overview: Handlers<'overview.stats' | 'overview.series'> = {
  'overview.stats': async (_input, ctx) => computeStats(ctx.store),
  'overview.series': async (input, ctx) => {
    const windowS = input.window === '1h' ? 3600 : 86_400;
    const bucket = input.window === '1h' ? 60 : 3600;
    const since = new Date(Date.now() - windowS * 1000);
    const [throughput, latency] = await Promise.all([ctx.store.throughput(since, bucket), ctx.store.latencyByType(since)]);
    return { window: input.window, bucket_seconds: bucket, throughput, latency };
  },
};
