import { WorkerPool } from '../../shared/domain.ts';

/**
 * A worker row's `pool` as the readers take it: figures this version cannot read (a newer worker's, text
 * that is no JSON) are not known, as NULL is, so one worker's row never fails the list of workers.
 */
export function poolRecord(value: unknown): WorkerPool | null {
  const parsed = WorkerPool.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The same, from the JSON text SQLite keeps. */
export function poolFromText(text: string | null): WorkerPool | null {
  if (text === null) return null;
  try {
    return poolRecord(JSON.parse(text));
  } catch {
    return null;
  }
}
