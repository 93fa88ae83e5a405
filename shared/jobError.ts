import type { JobStatus } from './domain.ts';

/**
 * A job keeps the last failure of its attempts in `error_message`. While it is failed, retrying, blocked
 * or running again, that failure is the job's current trouble; once the job completed, it belongs to an
 * earlier attempt and is kept for the record, and must not read as the job's error.
 */
export function errorIsEarlier(status: JobStatus): boolean {
  return status === 'completed';
}

/** How the job's error is labelled wherever it is shown. */
export function errorLabel(status: JobStatus): 'error' | 'earlier error' {
  return errorIsEarlier(status) ? 'earlier error' : 'error';
}
