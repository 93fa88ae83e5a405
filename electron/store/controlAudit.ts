import type { JsonObject } from '../../shared/domain.ts';
import type { StoppedJobs } from './controlStore.ts';

/**
 * What a control change's audit row says it did to the jobs, from the running and pending counts read in
 * the change's own transaction (of every queue, or of the one paused or unpaused). `job_count` is the jobs
 * whose fate the change decided: for a stop, those interrupted and those held; for safe mode, a pause or a
 * release, the pending jobs held or let go (running ones are left to finish, and said so in the details).
 */
export type ControlAuditKind = 'stop' | 'hold' | 'release';

export interface ControlAuditCounts {
  job_count: number;
  details: JsonObject;
}

export function controlAuditCounts(kind: ControlAuditKind, found: StoppedJobs): ControlAuditCounts {
  const running = Object.values(found.runningByService).reduce((sum, n) => sum + n, 0);
  const { pending } = found;
  switch (kind) {
    case 'stop':
      return { job_count: running + pending, details: { running_asked_to_stop: running, running_by_service: { ...found.runningByService }, pending_held: pending } };
    case 'hold':
      return { job_count: pending, details: { pending_held: pending, running_left_to_finish: running } };
    case 'release':
      return { job_count: pending, details: { pending_released: pending } };
  }
}
