import type { UnservedService } from './views.ts';

/** The services no live worker runs for one reason, in the order they were listed. */
export interface UnservedGroup {
  reason: string;
  services: UnservedService[];
}

/**
 * The services no live worker runs, grouped by why: with no worker at all, every service has the same
 * reason, and a list of one sentence per service hid the one fact among the repeats.
 */
export function unservedByReason(unserved: readonly UnservedService[]): UnservedGroup[] {
  const groups = new Map<string, UnservedService[]>();
  for (const u of unserved) groups.set(u.reason, [...(groups.get(u.reason) ?? []), u]);
  return [...groups].map(([reason, services]) => ({ reason, services }));
}

/** `payments (queue billing), reports (queue default): no worker is running (…)`, as `opsdeck runners` prints it. */
export function unservedLine(group: UnservedGroup): string {
  return `${group.services.map((u) => `${u.service} (queue ${u.queue})`).join(', ')}: ${group.reason}`;
}

/**
 * What no live worker runs of work an action just sent back, one clause for its answer and the CLI's line:
 * `no live worker runs them: payments (queue billing): no worker is running (…)`.
 */
export function unservedClause(unserved: readonly UnservedService[]): string {
  return `no live worker runs them: ${unservedByReason(unserved).map(unservedLine).join('; ')}`;
}
