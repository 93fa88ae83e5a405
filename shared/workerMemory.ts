import type { WorkerView } from './views.ts';

/**
 * Whether a worker's memory is what it said last rather than what it uses now: a lost worker reports
 * nothing, a stopped one has gone, and one reconnecting after a store outage said it before the outage.
 * The figure is still shown (how far a leaking worker grew before it was killed is the evidence), marked
 * as its last known.
 */
export function memoryIsLastKnown(worker: Pick<WorkerView, 'state' | 'lost'>): boolean {
  return worker.lost || worker.state === 'stopped' || worker.state === 'reconnecting';
}

/** When a last known figure was said, after "Last known, ". */
export function lastKnownWhen(worker: Pick<WorkerView, 'state' | 'lost'>): string {
  if (worker.lost) return 'at its last heartbeat: a lost worker reports nothing';
  if (worker.state === 'reconnecting') return 'from before the store stopped answering: it has sent no heartbeat since';
  return 'as it stopped';
}
