import type { AuditEntry, CancelRequest, Job } from '../../shared/domain.ts';

/** The audit actions that ask a running job to stop: a cancel of the job, and a cancel of its workflow run. */
export const JOB_CANCEL = 'job.cancel';
export const RUN_CANCEL = 'workflow.cancel';

/**
 * The request to stop in force on a running job, from the newest audit row that asks it (the job's own
 * cancel, or its run's). A row older than the job's start asked an earlier run of it, not this one: a
 * claim clears the request.
 */
export function cancelRequestOf(entries: ReadonlyArray<AuditEntry | undefined>, job: Job): CancelRequest | null {
  const startedMs = job.started_at === null ? Number.NEGATIVE_INFINITY : Date.parse(job.started_at);
  let newest: AuditEntry | null = null;
  for (const entry of entries) {
    if (entry === undefined || Date.parse(entry.at) < startedMs) continue;
    if (newest === null || entry.id > newest.id) newest = entry;
  }
  if (newest === null) return null;
  const reason = newest.details?.reason;
  return {
    by: newest.actor,
    at: newest.at,
    reason: typeof reason === 'string' ? reason : null,
    workflow_run: newest.action === RUN_CANCEL && newest.target !== null ? Number(newest.target) : null,
  };
}
