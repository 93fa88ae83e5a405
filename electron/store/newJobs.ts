import { randomBytes } from 'node:crypto';
import { EXECUTION_TYPES } from '../../shared/domain.ts';
import { StoreInputError } from './errors.ts';
import type { NewJob } from './store.ts';

const PROCESS_TAG = randomBytes(4).toString('hex');
let identifierCounter = 0;

/**
 * `${service}-<time><counter><process>` for a job enqueued without an identifier: unique without a
 * random draw per job, and rising, so the identifier index grows at its right edge instead of
 * splitting pages all over.
 */
export function generatedIdentifier(service: string): string {
  identifierCounter = (identifierCounter + 1) % 1_679_616;
  return `${service}-${Date.now().toString(36)}${identifierCounter.toString(36).padStart(4, '0')}${PROCESS_TAG}`;
}

/**
 * Jobs that share everything a bulk insert passes once (queue, service, type, priority, attempts) and so
 * go in as one group, differing only in identifier, payload and run_at.
 */
export function sameGroup(a: NewJob, b: NewJob): boolean {
  return (
    a.queue === b.queue &&
    a.service_name === b.service_name &&
    a.execution_type === b.execution_type &&
    (a.priority ?? 0) === (b.priority ?? 0) &&
    a.max_attempts === b.max_attempts
  );
}

/** What both stores refuse before writing anything, so a bad row in a batch names itself and leaves nothing behind. */
export function checkNewJob(job: NewJob, index: number): void {
  const where = `job ${index + 1} of the batch`;
  if (job.run_at !== undefined && Number.isNaN(Date.parse(job.run_at))) {
    throw new StoreInputError(`${where}: run_at "${String(job.run_at).slice(0, 40)}" is not a date; use ISO-8601 like 2030-01-01T00:00:00Z`);
  }
  if (!Number.isInteger(job.max_attempts) || job.max_attempts < 1) {
    throw new StoreInputError(`${where}: max_attempts must be a whole number of at least 1, got ${job.max_attempts}`);
  }
  if (job.priority !== undefined && !Number.isInteger(job.priority)) {
    throw new StoreInputError(`${where}: priority must be a whole number, got ${job.priority}`);
  }
  if (!EXECUTION_TYPES.some((t) => t === job.execution_type)) {
    throw new StoreInputError(`${where}: unknown execution_type "${String(job.execution_type).slice(0, 40)}" (one of ${EXECUTION_TYPES.join(', ')})`);
  }
  if (job.identifier !== undefined && job.identifier.length === 0) throw new StoreInputError(`${where}: identifier is empty`);
  if (!job.service_name) throw new StoreInputError(`${where}: service_name is empty`);
  if (!job.queue) throw new StoreInputError(`${where}: queue is empty`);
}
