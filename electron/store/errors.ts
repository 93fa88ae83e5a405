/** Why a store could not be opened or used; each maps to one thing the operator can do about it. */
export type StoreErrorCode =
  | 'bad_location'
  | 'bad_setting'
  | 'unreachable'
  | 'auth'
  | 'no_database'
  | 'no_store'
  | 'not_opsdeck'
  | 'permission'
  | 'not_sqlite'
  | 'newer_schema'
  | 'schema_behind'
  | 'migration_changed'
  | 'unavailable';

/**
 * A store failure an operator can act on. The message is one line: what is wrong, then what to do
 * (the `hint`), so a CLI can print it as is and a UI can show it without a stack trace.
 */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** What is wrong, without the hint: for a caller that goes on without the store, whom the hint does not fit. */
  readonly problem: string;
  readonly hint: string;
  /**
   * Whether it passes with nobody acting (a connection cut, a server restarting, a lock held a while), so
   * a console may promise it clears by itself; otherwise the hint is what an operator must do first.
   */
  readonly transient: boolean;

  constructor(code: StoreErrorCode, problem: string, hint: string, options?: { cause?: unknown; transient?: boolean }) {
    super(oneLine(`${problem}; ${hint}`), options);
    this.name = 'StoreError';
    this.code = code;
    this.problem = oneLine(problem);
    this.hint = oneLine(hint);
    this.transient = options?.transient ?? false;
  }
}

/**
 * A store whose schema lacks migrations this opsdeck has, opened by what does not migrate it (a command
 * that only reads or controls a store): `applied` and `pending` say how far behind, for a health report's
 * migrations check when the store itself could not be used.
 */
export class SchemaBehindError extends StoreError {
  readonly applied: number;
  readonly pending: number;

  constructor(migrations: { applied: number; pending: number }, problem: string, hint: string, options?: { cause?: unknown }) {
    super('schema_behind', problem, hint, options);
    this.name = 'SchemaBehindError';
    this.applied = migrations.applied;
    this.pending = migrations.pending;
  }
}

/**
 * Whether a failed store call says the store cannot take it now, as opposed to refusing what it was given
 * (a constraint, bad input, a bug): away, locked, deadlocked, out of connections, out of disk, read-only.
 * Some pass by themselves (`transient`), some need an operator (a full disk); either way what was to be
 * written is held and tried again, never dropped as if the store had refused it.
 */
export function isStoreUnavailable(error: unknown): boolean {
  return error instanceof StoreError && (error.transient || error.code === 'unavailable' || error.code === 'unreachable');
}

/**
 * A request the store refuses because of its input (a garbled page cursor, a job without a valid
 * run_at). Hosts validate first, so reaching this means a caller bug or a hand-made cursor: it maps to
 * invalid_input, not to an unavailable store.
 */
export class StoreInputError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'StoreInputError';
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
