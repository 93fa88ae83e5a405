import type { HealthCheck } from '../../shared/domain.ts';
import type { Store } from '../store/store.ts';

/** A schedule this late has been left unfired: no worker runs, or none has its service in its registry. */
export const OVERDUE_AFTER_MS = 120_000;

/**
 * Health-check's scheduler check (the runbooks' "ensure the scheduler is running"): healthy while no active
 * schedule's next fire is more than two minutes past. One indexed read of the due schedules, never history.
 */
export async function schedulerCheck(store: Store, now: number): Promise<HealthCheck> {
  const overdue = await store.dueSchedules(new Date(now - OVERDUE_AFTER_MS), 50);
  const first = overdue[0];
  if (!first) return { name: 'scheduler', ok: true, detail: 'no schedule is overdue' };
  const late = Math.round((now - Date.parse(first.next_fire_at ?? new Date(now).toISOString())) / 1000);
  const more = overdue.length > 1 ? ` and ${overdue.length - 1} more` : '';
  return {
    name: 'scheduler',
    ok: false,
    detail: `schedule ${first.name}${more} overdue (${late}s late): no worker is firing it; start one (opsdeck worker) whose registry has service ${first.config.service ?? '?'}`,
  };
}
