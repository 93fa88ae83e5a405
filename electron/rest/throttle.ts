/**
 * Slows down whoever keeps presenting bad credentials. Per client address: the first few failures cost
 * nothing; past them each further failure locks the address out for twice as long as the last (1 s,
 * 2 s, 4 s … up to 5 minutes), during which every request with credentials is answered 429 with
 * Retry-After, good key or not, so guessing gains nothing from speed. A success clears the address.
 * Kept in memory per host process: a fleet's hosts each count their own.
 */
export interface ThrottleOptions {
  /** Failures allowed before lockouts start. */
  freeFailures?: number;
  maxLockMs?: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs?: number;
  /** Addresses remembered at most; the longest-quiet ones go first, so a flood cannot grow memory. */
  maxAddresses?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

export class FailureThrottle {
  readonly #entries = new Map<string, Entry>();
  readonly #free: number;
  readonly #maxLockMs: number;
  readonly #forgetMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(opts: ThrottleOptions = {}) {
    this.#free = opts.freeFailures ?? 5;
    this.#maxLockMs = opts.maxLockMs ?? 300_000;
    this.#forgetMs = opts.forgetAfterMs ?? 900_000;
    this.#max = opts.maxAddresses ?? 10_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Seconds the address must wait before trying again, or 0 when it may try now. */
  retryAfter(address: string): number {
    const entry = this.#current(address);
    if (!entry) return 0;
    const wait = entry.lockedUntil - this.#now();
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  failed(address: string): void {
    const now = this.#now();
    const entry = this.#current(address) ?? { failures: 0, lastFailureAt: now, lockedUntil: 0 };
    entry.failures += 1;
    entry.lastFailureAt = now;
    const over = entry.failures - this.#free;
    if (over > 0) entry.lockedUntil = now + Math.min(this.#maxLockMs, 1000 * 2 ** Math.min(over - 1, 20));
    // Re-inserted at the end: the map's order is the order of last failure, oldest first.
    this.#entries.delete(address);
    this.#entries.set(address, entry);
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  succeeded(address: string): void {
    this.#entries.delete(address);
  }

  #current(address: string): Entry | null {
    const entry = this.#entries.get(address);
    if (!entry) return null;
    if (this.#now() - entry.lastFailureAt > this.#forgetMs && entry.lockedUntil <= this.#now()) {
      this.#entries.delete(address);
      return null;
    }
    return entry;
  }
}
