/**
 * The shape of a realistic job history, the same for both dialects' fills: many services in a few
 * queues, each service of one execution type; thirty days of finished jobs plus a burst in the last hour;
 * about one in twelve failed, in 50 fingerprints, older dead letters mostly resolved; a backlog of pending
 * jobs (some scheduled for later) and a few hundred running at the newest end.
 */
export const SERVICES = 24;
export const QUEUES = ['default', 'billing', 'reports', 'emails', 'sync', 'media'];
export const FINGERPRINTS = 50;
export const DAYS = 30;
/** The share of jobs created in the last hour: a burst, as after an incident. */
export const BURST_SHARE = 0.1;
/** The newest jobs are still waiting (pending) or running. */
export const PENDING_SHARE = 0.02;
export const RUNNING = 500;

/**
 * A job's status from its number `i` (1-based, oldest first) and a spread value r in [0, 1000):
 * the newest PENDING_SHARE are pending, the RUNNING before them running, the rest finished.
 */
export interface HistoryParams {
  jobs: number;
  /** Unix milliseconds the history ends at (the fill's "now"). */
  nowMs: number;
}

export function firstPending(p: HistoryParams): number {
  return Math.floor(p.jobs * (1 - PENDING_SHARE)) + 1;
}

export function firstRunning(p: HistoryParams): number {
  return Math.max(1, firstPending(p) - RUNNING);
}

export function firstBurst(p: HistoryParams): number {
  return Math.floor(p.jobs * (1 - BURST_SHARE)) + 1;
}
