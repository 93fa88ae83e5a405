import type { HealthCheck, WorkerInfo } from '../../shared/domain.ts';
import { spanText, timeToCome } from '../../shared/timesInText.ts';
import { overdueSchedules } from '../engine/overdueSchedules.ts';
import type { Store } from '../store/store.ts';
import type { InterfaceWords } from './interfaceWords.ts';

/**
 * Health-check's scheduler check (the runbooks' "ensure the scheduler is running"). Every worker runs a
 * scheduler and they share the fires through the store (engine/scheduler.ts): the scheduler runs while a
 * live worker does. It fails while an active schedule's next fire is more than two minutes past, and also
 * while there are active schedules and no live worker at all, naming the next fire (or the one just
 * missed, past but not yet overdue, as missed): nothing will fire it, and waiting for it to be overdue
 * would say so only after a nightly's fire was missed. A failure, not a
 * warning: the scheduler the runbook asks about is not running. `workers`: those health-check looks at
 * (health.ts fleetOf); a held one still fires (its jobs wait), a draining one is stopping.
 */
export async function schedulerCheck(store: Store, workers: WorkerInfo[], now: number, words: InterfaceWords): Promise<HealthCheck> {
  const overdue = await overdueSchedules(store, new Date(now));
  const first = overdue[0];
  if (first) {
    const late = Math.round((now - Date.parse(first.due_at)) / 1000);
    const more = overdue.length > 1 ? ` and ${overdue.length - 1} more` : '';
    return {
      name: 'scheduler',
      ok: false,
      detail: `schedule ${first.schedule}${more} overdue (${late}s late): no worker is firing it; start one whose registry has ${first.target} with ${words.startWorker()}`,
    };
  }
  if (workers.some((w) => !w.lost && (w.state === 'running' || w.state === 'held'))) return { name: 'scheduler', ok: true, detail: 'no schedule is overdue' };
  // Only without a live worker are the schedules read: one read of the schedule table, never the history.
  const active = (await store.listSchedules()).filter((s) => s.next_fire_at !== null);
  const next = active.reduce<{ name: string; at: string } | null>(
    (soonest, s) => (s.next_fire_at !== null && (soonest === null || Date.parse(s.next_fire_at) < Date.parse(soonest.at)) ? { name: s.name, at: s.next_fire_at } : soonest),
    null,
  );
  if (next === null) return { name: 'scheduler', ok: true, detail: 'no live worker runs the scheduler, and no schedule is active' };
  const late = now - Date.parse(next.at);
  // A fire past, but not yet overdue, was missed all the same: no worker is left to fire it late.
  if (late >= 0) {
    return {
      name: 'scheduler',
      ok: false,
      detail: `${active.length} active schedule(s) and no live worker to fire them: ${next.name} was due at ${next.at} (${spanText(late)} ago) and no worker has fired it; start one with ${words.startWorker()}`,
    };
  }
  return {
    name: 'scheduler',
    ok: false,
    detail: `${active.length} active schedule(s), the next ${next.name} at ${timeToCome(next.at, new Date(now))}, and no live worker to fire them: start one with ${words.startWorker()}`,
  };
}
