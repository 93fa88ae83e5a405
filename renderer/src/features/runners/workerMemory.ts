import type { WorkerView } from '../../../../shared/views.ts';
import { lastKnownWhen, memoryIsLastKnown } from '../../../../shared/workerMemory.ts';
import { formatBytes } from '../../lib/format.ts';

/** What the workers table shows of a worker's memory: its RSS, V8's heap beside it, and what they are. */
export interface MemoryCell {
  rss: string;
  detail: string | null;
  /** Not what it uses now: its last known, or nothing said. */
  dim: boolean;
  title: string;
}

export function memoryCell(worker: Pick<WorkerView, 'memory' | 'state' | 'lost'>): MemoryCell {
  const { memory } = worker;
  if (memory === null) {
    return { rss: '-', detail: null, dim: true, title: 'Not reported: a worker of an older version, or one that has sent no heartbeat since it started' };
  }
  const rss = formatBytes(memory.rss_bytes);
  const heap = `heap ${formatBytes(memory.heap_used_bytes)}`;
  if (!memoryIsLastKnown(worker)) return { rss, detail: heap, dim: false, title: 'Resident memory (RSS) and V8 heap in use, at its last heartbeat' };
  return { rss, detail: `last known, ${heap}`, dim: true, title: `Last known, ${lastKnownWhen(worker)}` };
}
