import { performance } from 'node:perf_hooks';

/** A process's CPU time so far, in microseconds (user and system), and when it was read, in milliseconds. */
export interface CpuReading {
  cpuMicros: number;
  atMs: number;
}

/**
 * The CPU one process used between two readings, as a percent of one core: its CPU time over the wall time
 * that passed, to a tenth. Above 100 when its threads kept more than one core busy. Null when no time passed.
 */
export function cpuPercent(before: CpuReading, after: CpuReading): number | null {
  const wallMicros = (after.atMs - before.atMs) * 1000;
  if (wallMicros <= 0) return null;
  const spent = Math.max(0, after.cpuMicros - before.cpuMicros);
  return Math.round((spent / wallMicros) * 1000) / 10;
}

/** The shortest span a figure is measured over. */
export const MIN_WINDOW_MS = 1000;

function readProcess(): CpuReading {
  const { user, system } = process.cpuUsage();
  return { cpuMicros: user + system, atMs: performance.now() };
}

/**
 * This process's CPU use for each heartbeat: what it spent since the reading before (the meter's making, for
 * the first). Null where the platform will not say (`process.cpuUsage` throws when it cannot read it): a
 * heartbeat must not fail for want of a figure.
 */
export class CpuMeter {
  readonly #read: () => CpuReading;
  #last: CpuReading | null;
  #figure: number | null = null;

  constructor(read: () => CpuReading = readProcess) {
    this.#read = read;
    this.#last = this.#tryRead();
  }

  #tryRead(): CpuReading | null {
    try {
      return this.#read();
    } catch {
      return null;
    }
  }

  /**
   * The percent of one core used since the last figure, and a new reading to measure the next from. A call
   * within MIN_WINDOW_MS of that reading (a heartbeat sent at once on a change of state, just after the
   * periodic one) gives the last figure again: over a few milliseconds the share is 0 or hundreds.
   */
  sample(): number | null {
    const now = this.#tryRead();
    const before = this.#last;
    if (before !== null && now !== null && now.atMs - before.atMs < MIN_WINDOW_MS) return this.#figure;
    this.#last = now;
    this.#figure = before === null || now === null ? null : cpuPercent(before, now);
    return this.#figure;
  }
}
