import { targetText } from '../../shared/schedule.ts';
import type { Store } from '../store/store.ts';

/** A schedule this late has been left unfired: no worker runs, or none has its service or workflow in its registry. */
export const OVERDUE_AFTER_MS = 120_000;

/**
 * Active schedules whose next fire is more than OVERDUE_AFTER_MS past: what health-check's scheduler check
 * and the `schedule_missed` alert rule both watch. One indexed read of the due schedules, never history.
 */
export async function overdueSchedules(
  store: Store,
  now: Date,
  limit = 50,
): Promise<Array<{ schedule: string; due_at: string; service: string | null; target: string }>> {
  const due = await store.dueSchedules(new Date(now.getTime() - OVERDUE_AFTER_MS), limit);
  return due.flatMap((s) =>
    s.next_fire_at === null ? [] : [{ schedule: s.name, due_at: s.next_fire_at, service: s.config.service ?? null, target: targetText(s.config) }],
  );
}
