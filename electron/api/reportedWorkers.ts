import type { WorkerInfo } from '../../shared/domain.ts';

/** A worker lost this long is gone (its machine was replaced), not an incident of today. */
const GONE_AFTER_MS = 24 * 3600_000;

/**
 * Whether the health report checks `w`: neither stopped (a worker stopped on purpose is no outage of the
 * fleet's; stoppedWorkers.ts finds one by its name or id) nor lost for a day.
 */
export function inReport(w: WorkerInfo, now: number): boolean {
  return w.state !== 'stopped' && !(w.lost && now - Date.parse(w.last_heartbeat_at) > GONE_AFTER_MS);
}
