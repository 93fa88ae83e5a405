import { THROUGHPUT_WINDOW_MIN, type OverviewStats } from '../../../../shared/contract.ts';
import { formatCount, formatPercent, formatSeconds } from '../../lib/format.ts';
import { routeHref } from '../../lib/router.ts';

export interface Tile {
  label: string;
  value: string;
  tone?: 'bad' | 'warn' | 'ok';
  href?: string;
  hint?: string;
  /** A second line under the value, for what the number alone would hide. */
  detail?: string;
}

/** A due job that has waited longer than this means dispatch is behind: the tile and its queue's row say so. */
export const BEHIND_AFTER_S = 900;

/** The longest any of these queues' oldest due job has waited; null when none waits. */
function longestWait(queues: OverviewStats['queues']): number | null {
  return queues.reduce<number | null>((most, q) => (q.oldest_due_age_s !== null && (most === null || q.oldest_due_age_s > most) ? q.oldest_due_age_s : most), null);
}

/**
 * How long the oldest due job has waited. With the queues' ages read, a paused queue's jobs are left out
 * (an operator holds them, as its row says) and named in the detail when they waited longer.
 */
function oldestPendingTile(stats: OverviewStats): Tile {
  const waiting = stats.queue_ages_read ? longestWait(stats.queues.filter((q) => !q.paused)) : stats.oldest_pending_age_s;
  const held = stats.queue_ages_read ? longestWait(stats.queues.filter((q) => q.paused)) : null;
  return {
    label: 'Oldest pending',
    value: formatSeconds(waiting),
    tone: (waiting ?? 0) > BEHIND_AFTER_S ? 'warn' : undefined,
    ...(held !== null && (waiting === null || held > waiting) ? { detail: `${formatSeconds(held)} in a paused queue` } : {}),
  };
}

/**
 * Workflow runs with no task progress for their stuck_after: a different thing from stuck jobs (a job
 * whose lease ran out), so a figure of its own beside them, never added into theirs.
 */
function stuckRunsTile(count: number): Tile {
  return {
    label: 'Stuck workflow runs',
    value: formatCount(count),
    tone: count > 0 ? 'warn' : undefined,
    href: routeHref('/workflows'),
    hint: "Running workflow runs with no task progress for longer than their workflow's stuck_after",
  };
}

/**
 * The overview's key figures: each with its tone by the thresholds an operator acts on, and where it
 * leads. `stuckRuns` is null until the stuck workflow runs were read, `workflows` until the registry's
 * workflows were: the stuck runs' tile is shown while one is stuck, or while a workflow is defined that
 * could be, not for a registry with none.
 */
export function tiles(stats: OverviewStats, stuckRuns: number | null = null, workflows: number | null = null): Tile[] {
  const rate = stats.failure_rate;
  return [
    {
      label: 'Pending',
      value: formatCount(stats.counts.pending),
      href: routeHref('/jobs', { status: 'pending' }),
      hint: 'Waiting to run; jobs scheduled for later and retries in their backoff are counted too',
      ...(stats.scheduled > 0 ? { detail: `${formatCount(stats.scheduled)}${stats.scheduled_capped ? '+' : ''} not due yet` } : {}),
    },
    { label: 'Running', value: formatCount(stats.counts.running), href: routeHref('/jobs', { status: 'running' }) },
    { label: 'Completed (1h)', value: formatCount(stats.completed_last_hour), tone: 'ok' },
    {
      label: 'Dead letters',
      value: formatCount(stats.dead_letters),
      tone: stats.dead_letters > 0 ? 'bad' : undefined,
      href: routeHref('/dlq'),
      hint: 'Failed and not yet resolved',
    },
    {
      label: 'Failure rate (1h)',
      value: formatPercent(rate),
      tone: rate === null ? undefined : rate >= 0.2 ? 'bad' : rate >= 0.05 ? 'warn' : 'ok',
      hint: `${formatCount(stats.failed_last_hour)} failed in the last hour`,
    },
    oldestPendingTile(stats),
    {
      label: `Throughput (${THROUGHPUT_WINDOW_MIN} min)`,
      value: `${stats.throughput_per_min.toFixed(stats.throughput_per_min < 10 ? 1 : 0)}/min`,
      hint: `Jobs completed per minute over the last ${THROUGHPUT_WINDOW_MIN} minutes`,
    },
    {
      label: 'Stuck jobs',
      value: formatCount(stats.stuck),
      tone: stats.stuck > 0 ? 'warn' : undefined,
      href: routeHref('/jobs', { stuck: '1' }),
      hint: 'Running jobs whose lease expired',
    },
    ...(stuckRuns !== null && (stuckRuns > 0 || (workflows ?? 0) > 0) ? [stuckRunsTile(stuckRuns)] : []),
  ];
}
