import { statSync } from 'node:fs';

/** How often, at most, the path is looked at again: a stat is cheap, but a store answers many calls a second. */
const CHECK_EVERY_MS = 1000;

/**
 * The database file as it was opened, by device and inode. A file deleted or replaced under an open
 * connection leaves the connection writing to a file no other process sees, nor the next `opsdeck` given
 * the same path: the store then refuses every call with the reason, instead of working on in silence.
 */
export class FileIdentity {
  readonly #path: string;
  readonly #dev: number;
  readonly #ino: number;
  #checkedAt = 0;
  #problem: string | null = null;

  private constructor(path: string, dev: number, ino: number) {
    this.#path = path;
    this.#dev = dev;
    this.#ino = ino;
  }

  /** The identity of the file at `path` now (just opened); null for an in-memory database. */
  static of(path: string): FileIdentity | null {
    if (path === ':memory:') return null;
    const stat = statSync(path);
    return new FileIdentity(path, stat.dev, stat.ino);
  }

  /** Why the file at the path is not the one opened, or null; looks again at most every CHECK_EVERY_MS. */
  problem(nowMs = Date.now()): string | null {
    if (this.#problem !== null || nowMs - this.#checkedAt < CHECK_EVERY_MS) return this.#problem;
    this.#checkedAt = nowMs;
    let stat: { dev: number; ino: number } | null;
    try {
      stat = statSync(this.#path);
    } catch {
      stat = null;
    }
    if (stat === null) this.#problem = `the database file ${this.#path} was deleted while this process had it open`;
    else if (stat.dev !== this.#dev || stat.ino !== this.#ino) this.#problem = `the database file ${this.#path} was replaced by another file while this process had it open`;
    return this.#problem;
  }
}
