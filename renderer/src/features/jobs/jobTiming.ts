import type { Attempt, Job } from '../../../../shared/domain.ts';
import { formatMs, formatSeconds } from '../../lib/format.ts';

type Usage = { resource_usage: { duration_ms?: number } | null };

/** How long a job ran: what the runner measured when it did, else from its start to its end. */
export function jobDuration(job: Pick<Job, 'started_at' | 'completed_at'> & Usage): string {
  if (job.resource_usage?.duration_ms !== undefined) return formatMs(job.resource_usage.duration_ms);
  if (job.started_at && job.completed_at) return formatMs(Date.parse(job.completed_at) - Date.parse(job.started_at));
  return '—';
}

/** How long one attempt ran; one that has not finished says so rather than guessing. */
export function attemptDuration(attempt: Pick<Attempt, 'started_at' | 'finished_at'> & Usage): string {
  if (attempt.resource_usage?.duration_ms !== undefined) return formatMs(attempt.resource_usage.duration_ms);
  if (!attempt.finished_at) return 'running';
  return formatMs(Date.parse(attempt.finished_at) - Date.parse(attempt.started_at));
}

/** How long a running job's current attempt has run so far: "running 4m 12s". */
export function runningFor(job: Pick<Job, 'started_at'>, now: number): string {
  if (!job.started_at) return 'running';
  return `running ${formatSeconds(Math.max(0, (now - Date.parse(job.started_at)) / 1000))}`;
}
