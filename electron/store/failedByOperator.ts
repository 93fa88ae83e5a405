import type { Actor, Job } from '../../shared/domain.ts';
import { actorName } from './actor.ts';

/**
 * What a job failed by an operator (Store.failRunningJob) records, the same on every dialect: the
 * message names who and why, so the dead-letter queue says it; every such failure of one service
 * groups under one fingerprint, as lease expiries do.
 */
export const OPERATOR_ERROR_CLASS = 'operator';

const FINGERPRINT_PREFIX = 'operator-failed:';

export function operatorFailure(actor: Actor, reason: string, service: string): { message: string; fingerprint: string } {
  return { message: `failed by an operator (${actorName(actor)}): ${reason}`, fingerprint: `${FINGERPRINT_PREFIX}${service}` };
}

/** Whether a failed job's kept error is an operator's failing it (a worker that lost it says so). */
export function failedByOperator(job: Pick<Job, 'status' | 'error_fingerprint'>): boolean {
  return job.status === 'failed' && (job.error_fingerprint?.startsWith(FINGERPRINT_PREFIX) ?? false);
}
