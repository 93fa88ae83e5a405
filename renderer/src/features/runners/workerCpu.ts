import type { WorkerView } from '../../../../shared/views.ts';
import { lastKnownWhen, memoryIsLastKnown } from '../../../../shared/workerMemory.ts';

/** What the workers table shows of a worker process's CPU use, marked as its memory is. */
export interface CpuCell {
  text: string;
  /** Not what it uses now: its last known, or nothing said. */
  dim: boolean;
  title: string;
}

export function cpuCell(worker: Pick<WorkerView, 'cpu_percent' | 'state' | 'lost'>): CpuCell {
  const { cpu_percent } = worker;
  if (cpu_percent === null) {
    return { text: '-', dim: true, title: 'Not reported: a worker of an older version, or one that has sent no heartbeat since it started' };
  }
  const text = `${cpu_percent.toFixed(1)}%`;
  const what = 'CPU time the worker process spent between its last two heartbeats, as a percent of one core (over 100% when it kept more than one busy)';
  if (!memoryIsLastKnown(worker)) return { text, dim: false, title: what };
  return { text: `${text} last known`, dim: true, title: `Last known, ${lastKnownWhen(worker)}: ${what}` };
}
