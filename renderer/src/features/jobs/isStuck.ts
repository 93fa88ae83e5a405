import type { Job } from '../../../../shared/domain.ts';

/** A running job whose lease ran out: its worker is gone or hung, and the watchdog will take it back. */
export function isStuck(job: Job, now: number): boolean {
  return job.status === 'running' && job.lease_expires_at !== null && Date.parse(job.lease_expires_at) < now;
}
