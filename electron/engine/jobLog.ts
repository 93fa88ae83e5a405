import type { Logger } from '../log/logger.ts';
import type { ClaimedJob, Settlement } from '../store/store.ts';
import type { InterruptCause } from './running.ts';

/**
 * Each job's life as log lines, said once the store has recorded it: a claim and a settle at debug, a
 * failed attempt that will be retried at warn, a dead letter at error. Lines carry the job's id,
 * identifier, service and attempt as fields, so `grep job_id=42` or a JSON query follows one job. At
 * the default level the hot path builds no fields for the debug lines.
 */
export class JobLog {
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  claimed(jobs: readonly ClaimedJob[]): void {
    if (!this.#log.enabled('debug')) return;
    for (const job of jobs) this.#log.debug('job claimed', { ...jobFields(job), queue: job.queue, priority: job.priority });
  }

  /** The settlement landed: the job is where the settlement says. `cause`: why this worker stopped it, if it did. */
  settled(s: Settlement, job: ClaimedJob, runMs: number | null, cause: InterruptCause | null = null): void {
    const duration_ms = runMs ?? undefined;
    switch (s.kind) {
      case 'completed':
        // The hot path at any level but debug: nothing is built for a line that is not written.
        if (this.#log.enabled('debug')) this.#log.debug('job completed', { ...jobFields(job), duration_ms });
        return;
      case 'retry':
        this.#log.warn('attempt failed; the job will be retried', {
          ...jobFields(job),
          error_class: s.error.error_class,
          error: s.error.message,
          outcome: s.outcome,
          retry_at: s.run_at,
          duration_ms,
        });
        return;
      case 'failed':
        this.#log.error('job failed: moved to the dead-letter queue', {
          ...jobFields(job),
          error_class: s.error.error_class,
          error: s.error.message,
          outcome: s.outcome,
          fingerprint: s.error.fingerprint,
          duration_ms,
        });
        return;
      case 'interrupted':
        // Stopped halfway by an outage of the store, not by anyone's choice: an operator reads why it ran twice.
        if (cause === 'store_unreachable') {
          this.#log.warn('job stopped while the store was unreachable: back to pending, attempt not spent', { ...jobFields(job), reason: s.reason, duration_ms });
          return;
        }
        if (this.#log.enabled('debug')) this.#log.debug('job handed back, attempt not spent', { ...jobFields(job), reason: s.reason });
        return;
      case 'cancelled':
        this.#log.info('job cancelled while it ran', { ...jobFields(job), reason: s.reason });
        return;
    }
  }

  /** The settlement landed nowhere: the job is no longer this worker's. */
  notRecorded(s: Settlement): void {
    this.#log.warn('a result was not recorded: the job is no longer this worker\'s', { job_id: s.jobId, result: s.kind });
  }
}

function jobFields(job: ClaimedJob) {
  return { job_id: job.id, identifier: job.identifier, service: job.service_name, attempt: job.attempt, max_attempts: job.max_attempts };
}
