import type { Job } from './domain.ts';

/** A running job whose lease ran out: its worker is gone or hung, and the watchdog will take it back. */
export function isStuck(job: Pick<Job, 'status' | 'lease_expires_at'>, now: number): boolean {
  return job.status === 'running' && job.lease_expires_at !== null && Date.parse(job.lease_expires_at) < now;
}
