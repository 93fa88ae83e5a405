import { WorkerCannotRun } from '../../shared/domain.ts';

/**
 * A worker row's `cannot_run` as the readers take it: a record this version cannot read (a newer worker's,
 * naming a runner kind this one lacks; text that is no JSON) is not known, as NULL is, so one worker's row
 * never fails the list every reader of the workers asks for.
 */
export function cannotRunRecord(value: unknown): WorkerCannotRun | null {
  const parsed = WorkerCannotRun.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The same, from the JSON text SQLite keeps. */
export function cannotRunFromText(text: string | null): WorkerCannotRun | null {
  if (text === null) return null;
  try {
    return cannotRunRecord(JSON.parse(text));
  } catch {
    return null;
  }
}
