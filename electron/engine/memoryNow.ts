import type { WorkerMemory } from '../../shared/domain.ts';

/**
 * This process's memory for its heartbeat. Null where the platform will not say (`process.memoryUsage`
 * throws when it cannot read the resident set): a heartbeat must not fail for want of a figure.
 */
export function memoryNow(read: () => NodeJS.MemoryUsage = () => process.memoryUsage()): WorkerMemory | null {
  try {
    const { rss, heapUsed } = read();
    return { rss_bytes: rss, heap_used_bytes: heapUsed };
  } catch {
    return null;
  }
}
