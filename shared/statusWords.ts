import { closest } from './closestWord.ts';
import { JobStatus } from './domain.ts';

/**
 * What other job systems call opsdeck's statuses (the runbooks' `in_progress`, a queue's `queued`, `done`),
 * so a filter written in their words is answered with opsdeck's: a refusal that names the status meant.
 */
const OTHER_SYSTEMS_STATUS: Readonly<Record<string, JobStatus>> = {
  in_progress: 'running',
  inprogress: 'running',
  started: 'running',
  processing: 'running',
  active: 'running',
  executing: 'running',
  queued: 'pending',
  scheduled: 'pending',
  new: 'pending',
  ready: 'pending',
  todo: 'pending',
  retrying: 'pending',
  done: 'completed',
  success: 'completed',
  succeeded: 'completed',
  successful: 'completed',
  complete: 'completed',
  finished: 'completed',
  ok: 'completed',
  error: 'failed',
  errored: 'failed',
  failure: 'failed',
  dead: 'failed',
  dead_letter: 'failed',
  dead_lettered: 'failed',
  dlq: 'failed',
  canceled: 'cancelled',
  aborted: 'cancelled',
  stopped: 'cancelled',
};

/** Among `statuses` (a job's, or a workflow run's fewer), the one a word means: another system's name for it, else a near spelling. */
function meantOf(word: string, statuses: readonly string[]): { status: string; theirs: boolean } | null {
  const plain = word.trim().toLowerCase().replace(/[-\s]+/g, '_');
  const other = OTHER_SYSTEMS_STATUS[plain];
  if (other) return statuses.includes(other) ? { status: other, theirs: true } : null;
  const near = closest(plain, statuses);
  return near === null ? null : { status: near, theirs: false };
}

/** The status a word likely means: another system's name for it, else a near spelling; null when none. */
export function statusMeant(word: string): JobStatus | null {
  const meant = meantOf(word, JobStatus.options)?.status;
  return meant === undefined ? null : JobStatus.parse(meant);
}

/**
 * `"in_progress" is no status (opsdeck calls it running); the statuses are …`, or `(did you mean running?)`
 * for a misspelling; of a job by default, or of what else has statuses of these names (a workflow run).
 */
export function unknownStatusText(word: string, statuses: readonly string[] = JobStatus.options): string {
  const meant = meantOf(word, statuses);
  const hint = meant === null ? '' : meant.theirs ? ` (opsdeck calls it ${meant.status})` : ` (did you mean ${meant.status}?)`;
  return `"${word}" is no status${hint}; the statuses are ${statuses.join(', ')}`;
}
