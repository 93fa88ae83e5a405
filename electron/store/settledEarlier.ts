import type { Settlement } from './store.ts';

/** An attempt row as either dialect reads it back, to tell whether a settlement sent before landed. */
export interface AttemptRecord {
  id: number;
  job_id: number;
  worker_id: string;
  outcome: string;
  error_message: string | null;
  error_class: string | null;
}

/** What a settlement writes into its attempt row (both dialects alike); null for a hand-back of a job that never started, which writes none. */
function recordOf(s: Settlement): Pick<AttemptRecord, 'outcome' | 'error_message' | 'error_class'> | null {
  switch (s.kind) {
    case 'completed':
      return { outcome: 'completed', error_message: null, error_class: null };
    case 'retry':
    case 'failed':
      return { outcome: s.outcome, error_message: s.error.message, error_class: s.error.error_class };
    case 'interrupted':
    case 'cancelled':
      return s.ran ? { outcome: s.kind, error_message: s.reason, error_class: null } : null;
  }
}

/**
 * The job ids of the settlements whose attempt is recorded as each one records it, by its worker. Whoever
 * else ends an attempt (the watchdog's reclaim, an operator's fail) records another outcome or other words.
 * `stored` is the text as the dialect keeps it (PostgreSQL drops NULs), so it compares with what was written.
 */
export function settledAsSent(settlements: Settlement[], attempts: AttemptRecord[], stored: (text: string) => string): number[] {
  const byId = new Map(attempts.map((a) => [a.id, a]));
  const text = (value: string | null) => (value === null ? null : stored(value));
  return settlements
    .filter((s) => {
      const wrote = recordOf(s);
      const found = byId.get(s.attemptId);
      return (
        wrote !== null &&
        found !== undefined &&
        found.job_id === s.jobId &&
        found.worker_id === s.workerId &&
        found.outcome === wrote.outcome &&
        found.error_class === text(wrote.error_class) &&
        found.error_message === text(wrote.error_message)
      );
    })
    .map((s) => s.jobId);
}
