/**
 * Every action the audit log records, for the console's filter. electron/api/auditActions.test.ts holds
 * the code that writes them to this list, so an action added there cannot be missing here.
 */
export const AUDIT_ACTIONS = [
  'control.emergency_stop',
  'control.resume',
  'control.safe_mode',
  'queue.pause',
  'queue.unpause',
  'breaker.force_open',
  'breaker.force_closed',
  'breaker.auto',
  'breaker.reset',
  'breaker.transition',
  'breaker.tune',
  'rate_limit.tune',
  'dlq.retry',
  'dlq.resolve',
  'dlq.purge',
  'job.enqueue',
  'job.retry',
  'job.cancel',
  'job.fail',
  'workflow.run',
  'workflow.retry',
  'workflow.cancel',
  'schedule.add',
  'schedule.remove',
  'schedule.pause',
  'schedule.resume',
  'schedule.run_now',
  'schedule.sync',
  'alert.ack',
  'alert.silence',
  'alert.rule_save',
  'alert.rule_delete',
  'api_key.create',
  'api_key.revoke',
  'api_key.refused',
  'api_key.auth_failed',
  'registry.load',
  'registry.load_refused',
  'retention.prune',
  'support.bundle',
  'settings.connection',
  'settings.local_execution',
  'demo.start',
  'worker.forget',
] as const;

/** Actions recorded under another name before; the migration that renamed them moved the old rows too. */
const RENAMED: ReadonlyMap<string, (typeof AUDIT_ACTIONS)[number]> = new Map([
  // The emergency stop's release is control.resume; a queue's is opsdeck unpause (SQLite 0026, PostgreSQL 0039).
  ['queue.resume', 'queue.unpause'],
]);

/** The name an action is recorded under now: a filter by an old name still finds its rows. */
export function currentAuditAction(action: string): string {
  return RENAMED.get(action) ?? action;
}
