import { isLogLevel, passes, type LogLevel } from './logger.ts';

/**
 * Reading the log file's JSON lines back: which level a line is at, and whole lines out of chunks read as
 * the file grows. Pure, so `opsdeck logs --level` and `--follow` are tested without a file.
 */

/** pino's numbers, for a line written with them rather than the label this file's logger writes. */
const PINO_LEVELS: ReadonlyArray<[number, LogLevel]> = [
  [50, 'error'],
  [40, 'warn'],
  [30, 'info'],
  [0, 'debug'],
];

/** The level of one JSON line (`"level":"warn"`, or pino's 40), or null when it has none to read. */
export function lineLevel(line: string): LogLevel | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || !('level' in parsed)) return null;
  const { level } = parsed;
  if (typeof level === 'number') return PINO_LEVELS.find(([at]) => level >= at)?.[1] ?? null;
  if (typeof level !== 'string') return null;
  const label = level.toLowerCase();
  if (label === 'fatal') return 'error';
  if (label === 'trace') return 'debug';
  return isLogLevel(label) ? label : null;
}

/** Whether a line is at `threshold` or above (error is above warn); any line when there is none. A line without a level passes none. */
export function atLevel(line: string, threshold: LogLevel | null): boolean {
  if (threshold === null) return true;
  const level = lineLevel(line);
  return level !== null && passes(level, threshold);
}

/**
 * Whole lines out of text that arrives in pieces: a line the writer has not finished is kept until its
 * newline comes, so a line is never printed in two halves.
 */
export class LineBuffer {
  private rest = '';

  /** The lines `chunk` completes, without their newlines, blank ones left out. */
  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.rest = text;
      return [];
    }
    this.rest = text.slice(end + 1);
    return text
      .slice(0, end)
      .split('\n')
      .filter((line) => line.trim() !== '');
  }

  /** What is left without a newline (a file that ended mid-line), then nothing. */
  flush(): string[] {
    const last = this.rest;
    this.rest = '';
    return last.trim() === '' ? [] : [last];
  }
}
