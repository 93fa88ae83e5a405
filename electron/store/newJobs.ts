import { randomBytes } from 'node:crypto';
import { EXECUTION_TYPES, PRIORITY_MAX, PRIORITY_MIN } from '../../shared/domain.ts';
import { StoreInputError } from './errors.ts';
import type { NewJob } from './store.ts';

const PROCESS_TAG = randomBytes(4).toString('hex');
let identifierCounter = 0;
const KNOWN_TYPES: ReadonlySet<string> = new Set(EXECUTION_TYPES);

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

/** Called for every job of every batch, so the message is built only for a job that is refused. */
function refuse(index: number, problem: string): never {
  throw new StoreInputError(`job ${index + 1} of the batch: ${problem}`);
}

/** What both stores refuse before writing anything, so a bad row in a batch names itself and leaves nothing behind. */
export function checkNewJob(job: NewJob, index: number): void {
  if (job.run_at !== undefined && Number.isNaN(Date.parse(job.run_at))) {
    refuse(index, `run_at "${String(job.run_at).slice(0, 40)}" is not a date; use ISO-8601 like 2030-01-01T00:00:00Z`);
  }
  if (!Number.isInteger(job.max_attempts) || job.max_attempts < 1) refuse(index, `max_attempts must be a whole number of at least 1, got ${job.max_attempts}`);
  if (job.priority !== undefined && (!Number.isInteger(job.priority) || job.priority < PRIORITY_MIN || job.priority > PRIORITY_MAX)) {
    refuse(index, `priority must be a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}, got ${job.priority}`);
  }
  if (!KNOWN_TYPES.has(job.execution_type)) {
    refuse(index, `unknown execution_type "${String(job.execution_type).slice(0, 40)}" (one of ${EXECUTION_TYPES.join(', ')})`);
  }
  if (job.identifier !== undefined && job.identifier.length === 0) refuse(index, 'identifier is empty');
  if (!job.service_name) refuse(index, 'service_name is empty');
  if (!job.queue) refuse(index, 'queue is empty');
}
