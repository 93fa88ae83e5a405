import type { Attempt, Job } from './domain.ts';

/**
 * "2 of 4", and how many attempts came before an operator's retry when the history holds more than the
 * job now counts: a retry starts its count again, while its earlier attempts stay listed. Attempts
 * handed back unrun (interrupted) never counted.
 */
export function attemptsText(job: Pick<Job, 'attempts' | 'max_attempts'>, history: ReadonlyArray<Pick<Attempt, 'outcome'>>): string {
  const counted = history.filter((a) => a.outcome !== 'interrupted').length;
  const before = counted - job.attempts;
  return `${job.attempts} of ${job.max_attempts}${before > 0 ? ` since a retry (${before} before it, listed below)` : ''}`;
}
