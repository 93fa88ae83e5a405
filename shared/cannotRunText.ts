import type { ServiceLack, WorkerCannotRun } from './domain.ts';

/** `environment variable STRIPE_KEY is not set`, or `environment variables A, B are not set`: names only. */
export function unsetText(names: readonly string[]): string {
  return names.length === 1 ? `environment variable ${names[0]} is not set` : `environment variables ${names.join(', ')} are not set`;
}

/**
 * What a worker lacks for one service, in its jobs' words: the variables unset (`where`: on which worker),
 * the Docker daemon not answering, the rest.
 */
export function lackText(lack: ServiceLack, where = 'on this worker'): string {
  const unset = lack.unset.length > 0 ? [`${unsetText(lack.unset)}${where ? ` ${where}` : ''}`] : [];
  return [...unset, ...(lack.docker === null ? [] : [lack.docker]), ...lack.other].join('; ');
}

/** Whether the worker claims the service's jobs anyway, in words. */
export function claimWords(lack: ServiceLack): string {
  return lack.declined ? 'not claimed there' : 'its jobs fail there';
}

/**
 * One service a worker lacks something for, as the worker lists and the Runners page say it: whether it is
 * claimed goes beside the name, since what it lacks may end in a daemon's own parentheses.
 */
export function lackLine(lack: ServiceLack): string {
  return `${lack.service} (${claimWords(lack)}): ${lackText(lack, '')}`;
}

/** `docker not checked yet`: the runner kinds whose probes had not answered when the record was written; '' when none. */
export function notCheckedYet(cannotRun: WorkerCannotRun): string {
  const kinds = cannotRun.probing ?? [];
  return kinds.length === 0 ? '' : `${kinds.join(', ')} not checked yet`;
}

/**
 * A worker's column: the services it cannot run, `nothing` once checked, `not known` from a worker that has
 * not said; a record written before some probes answered says which are still to come.
 */
export function cannotRunSummary(cannotRun: WorkerCannotRun | null): string {
  if (cannotRun === null) return 'not known';
  const pending = notCheckedYet(cannotRun);
  const found = cannotRun.services.length > 0 ? cannotRun.services.map((s) => s.service).join(',') : pending ? 'nothing so far' : 'nothing';
  return pending ? `${found} (${pending})` : found;
}
