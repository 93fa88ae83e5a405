import type { CallName } from './contract.ts';

/**
 * Calls whose answer is always a read of the store, so one that succeeds proves the store answers: the
 * console takes its store banner down on one (renderer/src/lib/trackStatus.ts). Other calls may answer
 * through an outage: health.check says "cannot tell: …", the registry and the settings are the host's own.
 */
export const READS_THE_STORE: ReadonlySet<CallName> = new Set<CallName>([
  'overview.stats',
  'overview.series',
  'control.get',
  'jobs.list',
  'jobs.get',
  'dlq.groups',
  'dlq.list',
  'audit.list',
  'breakers.list',
  'workers.list',
  'schedules.list',
]);
