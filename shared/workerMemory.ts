import type { WorkerView } from './views.ts';

/**
 * Whether a worker's memory is what it said last rather than what it uses now: a lost worker reports
 * nothing and a stopped one has gone. The figure is still shown (how far a leaking worker grew before it
 * was killed is the evidence), marked as its last known.
 */
export function memoryIsLastKnown(worker: Pick<WorkerView, 'state' | 'lost'>): boolean {
  return worker.lost || worker.state === 'stopped';
}
