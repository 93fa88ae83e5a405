import type { ControlState, LostWorkerLeases } from '../../../../shared/domain.ts';
import { CONSOLE_STUCK_WORDS, lostLeasesLine } from '../../../../shared/lostLeasesText.ts';
import type { WorkerView } from '../../../../shared/views.ts';

/** What holds dispatch, and where the console lifts it: the emergency stop first, as it holds everything. */
function holder(control: ControlState): { what: string; lift: string } | null {
  if (control.emergency_stop.engaged) return { what: 'the emergency stop', lift: 'Resume in the banner above dispatches again' };
  if (control.safe_mode.engaged) return { what: 'safe mode', lift: 'Leave safe mode in the banner above to dispatch again' };
  return null;
}

/** The title of a worker's state badge: held and draining look alike, and only one of them is stopping. */
export function stateTitle(state: WorkerView['state'], control: ControlState | undefined): string | undefined {
  if (state === 'draining') return 'Stopping: it takes no new jobs, and its running jobs finish first';
  if (state === 'reconnecting') return 'Live when the store stopped answering, and no heartbeat since it answered again: not lost, unless none comes in time';
  if (state !== 'held') return undefined;
  const held = control ? holder(control) : null;
  return `Held${held ? ` by ${held.what}` : ''}: it takes no new jobs, and is not stopping; it takes them again once released`;
}

/**
 * The line above the workers table while the control plane holds some of them: restarting a held worker
 * changes nothing, so the line says what holds them and where to lift it. Null when none is held.
 */
export function heldNote(workers: Array<Pick<WorkerView, 'state' | 'lost'>>, control: ControlState | undefined): string | null {
  const held = workers.filter((w) => !w.lost && w.state === 'held').length;
  if (held === 0) return null;
  const one = held === 1;
  const subject = one ? '1 worker is held' : `${held} workers are held`;
  // Not read yet, or the read failed: what holds them is not known, and nothing says it was released.
  if (!control) return `${subject}: ${one ? 'it takes' : 'they take'} no new jobs and ${one ? 'is' : 'are'} not stopping, so restarting ${one ? 'it' : 'them'} changes nothing.`;
  const by = holder(control);
  // Released a moment ago: the workers see it at their next read of the control state.
  if (!by) return `${subject}: dispatch was released, and ${one ? 'it takes' : 'they take'} jobs again within seconds.`;
  return `${subject} by ${by.what}: ${one ? 'it takes no new jobs and is' : 'they take no new jobs and are'} not stopping, so restarting ${one ? 'it' : 'them'} changes nothing. ${by.lift}.`;
}

/**
 * The lines above the workers table while some worker is lost: what becomes of the running jobs each one
 * still holds, and when, in the words `opsdeck workers` uses; once none holds any, that Forget is all that
 * is left. Empty when no worker is lost.
 */
export function lostNote(workers: Array<Pick<WorkerView, 'lost'>>, leases: LostWorkerLeases[], now: number): string[] {
  const lost = workers.filter((w) => w.lost).length;
  if (lost === 0) return [];
  const head = `${lost === 1 ? '1 worker has' : `${lost} workers have`} stopped sending heartbeats: nobody runs the jobs still leased to ${lost === 1 ? 'it' : 'them'}.`;
  if (leases.length === 0) return [head, 'None holds a running job any more: Forget takes a lost worker off this list and the health check.'];
  return [head, ...leases.map((l) => `${lostLeasesLine(l, now, CONSOLE_STUCK_WORDS)}.`), 'Forget takes a lost worker off this list and the health check once it holds none.'];
}
