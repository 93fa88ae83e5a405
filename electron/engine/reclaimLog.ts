import type { Logger } from '../log/logger.ts';
import type { ReclaimResult, Store } from '../store/store.ts';
import { answerWithin } from './waits.ts';

/** Dead letters told one line each, with a read of the job; past this many, one line for the rest. */
const TOLD_AT_MOST = 20;
/** How long those reads may take in all; past it, each line says what the reclaim itself knows. */
const READ_WITHIN_MS = 2000;

/**
 * What the watchdog took back, at the level each deserves, as the settle's own lines say it (JobLog): a
 * job that will run again at warn, a job moved to the dead-letter queue at error (one line each, like
 * every other dead letter, so an alert on error lines and a grep for its job_id both find it), a job an
 * operator had cancelled at info.
 */
export async function tellReclaimed(store: Store, log: Logger, reclaimed: ReclaimResult): Promise<void> {
  const { retried, failed, cancelled } = reclaimed;
  if (retried.length > 0) {
    log.warn('took back jobs whose lease ran out (their worker stopped renewing it: it died, hung, or lost the store); they run again', {
      jobs: retried.length,
      job_ids: retried.slice(0, 20),
    });
  }
  if (cancelled.length > 0) {
    log.info('took back jobs an operator had cancelled whose worker stopped renewing their lease: cancelled', { jobs: cancelled.length, job_ids: cancelled.slice(0, 20) });
  }
  if (failed.length > 0) await tellDeadLetters(store, log, failed);
}

async function tellDeadLetters(store: Store, log: Logger, failed: number[]): Promise<void> {
  const told = failed.slice(0, TOLD_AT_MOST);
  const jobs = await answerWithin(Promise.all(told.map((id) => store.getJob(id))), READ_WITHIN_MS, 'reading dead letters the watchdog made').catch(() => null);
  told.forEach((id, i) => {
    const job = jobs?.[i];
    const fields = job
      ? { job_id: id, identifier: job.identifier, service: job.service_name, attempt: job.attempts, max_attempts: job.max_attempts, error: job.error_message }
      : { job_id: id, error: 'its lease ran out with no attempt left' };
    log.error('job failed: moved to the dead-letter queue', { ...fields, error_class: 'lost', outcome: 'lost' });
  });
  if (failed.length > TOLD_AT_MOST) {
    log.error('more jobs failed: moved to the dead-letter queue (leases ran out with no attempt left)', {
      jobs: failed.length - TOLD_AT_MOST,
      job_ids: failed.slice(TOLD_AT_MOST, TOLD_AT_MOST + 20),
      error_class: 'lost',
    });
  }
}
