import type { HealthCheck } from '../../../../shared/domain.ts';

/** How a check says it could not be made (the store did not answer): its detail starts so. */
const CANNOT_TELL = 'cannot tell: ';

export type DispatchKind = 'fail' | 'unknown' | 'warn';

/** Each kind of the dispatch check's verdict with its own heading and tone. */
export const DISPATCH_KINDS = {
  fail: { heading: 'Due jobs are not being dispatched', panel: 'panel panel-bad', tone: 'bad', badge: 'fail' },
  // Not known either way: the heading must not claim what the text says it cannot know.
  unknown: { heading: 'Cannot tell whether due jobs are being dispatched', panel: 'panel panel-warn', tone: 'warn', badge: 'unknown' },
  warn: { heading: 'Due jobs are waiting to be dispatched', panel: 'panel panel-warn', tone: 'warn', badge: 'warn' },
} as const;

/**
 * What the Overview says of the dispatch check: a failure it found, a check it could not make (while the
 * store does not answer, "cannot tell: …"), or a warning; null when dispatch is fine. A failure found
 * outranks a check not made, and is shown with it.
 */
export function dispatchVerdict(checks: HealthCheck[]): { kind: DispatchKind; shown: HealthCheck[] } | null {
  const failing = checks.filter((c) => !c.ok);
  if (failing.length > 0) return { kind: failing.every((c) => c.detail.startsWith(CANNOT_TELL)) ? 'unknown' : 'fail', shown: failing };
  const warned = checks.filter((c) => c.warning === true);
  return warned.length > 0 ? { kind: 'warn', shown: warned } : null;
}
