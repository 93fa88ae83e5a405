import type { HealthCheck } from '../../shared/domain.ts';
import { overdueSchedules } from '../engine/overdueSchedules.ts';
import type { Store } from '../store/store.ts';

/**
 * Health-check's scheduler check (the runbooks' "ensure the scheduler is running"): healthy while no active
 * schedule's next fire is more than two minutes past.
 */
export async function schedulerCheck(store: Store, now: number): Promise<HealthCheck> {
  const overdue = await overdueSchedules(store, new Date(now));
  const first = overdue[0];
  if (!first) return { name: 'scheduler', ok: true, detail: 'no schedule is overdue' };
  const late = Math.round((now - Date.parse(first.due_at)) / 1000);
  const more = overdue.length > 1 ? ` and ${overdue.length - 1} more` : '';
  return {
    name: 'scheduler',
    ok: false,
    detail: `schedule ${first.schedule}${more} overdue (${late}s late): no worker is firing it; start one (opsdeck worker) whose registry has ${first.target}`,
  };
}
