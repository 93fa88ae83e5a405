import { secondsText } from '../../shared/durationText.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import { isStoreUnavailable } from '../store/errors.ts';

/** An outage of the store as this process saw it. */
export interface StoreOutageSpan {
  /** When the store last answered before it stopped; when it was never seen answering, its first failure. */
  from: string;
  /** When it answered again; null while it still does not. */
  to: string | null;
}

/** How often a second outage may be told in the log; one within this of the last told is held and counted. */
const TOLD_EVERY_MS = 60_000;

interface Down {
  /** When this process first saw it fail. */
  failedAt: number;
  /** The store's last answer before that, or null: none seen. */
  lastAnswer: number | null;
  error: string;
  told: boolean;
}

/**
 * What a long-lived host knows of its store's outages: since when it does not answer, and when the last one
 * ended. Told by whatever reads the store (the event feed's ticks, the calls it answers), and by a probe of
 * its own while nothing else asked (watch). It logs each outage once as it starts (warn, with the error)
 * and once as it ends (info, with how long the store was away): `opsdeck serve` said nothing of either but
 * an alert evaluation failing. A store that keeps going and coming within the minute is told once, then
 * counted in the next line, as a repeated error is (quietLog); an outage held so is told once it outlasts
 * that minute.
 */
export class StoreWatch {
  readonly #log: Logger;
  readonly #now: () => number;
  #lastAnswer: number | null = null;
  #down: Down | null = null;
  #last: StoreOutageSpan | null = null;
  #toldAt: number | null = null;
  /** Outages held back since the last one told: each came and went within the minute. */
  #held = 0;
  #reportedAt = -Infinity;

  constructor(opts: { log?: Logger; now?: () => number } = {}) {
    this.#log = opts.log ?? silentLogger;
    this.#now = opts.now ?? Date.now;
  }

  /** A read of the store failed; only a store that cannot take it now counts (a refused input does not). */
  failed(error: unknown): void {
    if (!isStoreUnavailable(error)) return;
    const now = this.#now();
    this.#reportedAt = now;
    const message = error instanceof Error ? error.message : String(error);
    this.#down ??= { failedAt: now, lastAnswer: this.#lastAnswer, error: message, told: false };
    if (!this.#down.told && (this.#toldAt === null || now - this.#toldAt >= TOLD_EVERY_MS)) this.#tellDown(this.#down, now);
  }

  /** A read of the store succeeded. */
  answered(): void {
    const now = this.#now();
    this.#reportedAt = now;
    this.#lastAnswer = now;
    const down = this.#down;
    if (down === null) return;
    this.#down = null;
    this.#last = { from: new Date(down.lastAnswer ?? down.failedAt).toISOString(), to: new Date(now).toISOString() };
    if (!down.told) {
      this.#held += 1;
      return;
    }
    const awayMs = now - down.failedAt;
    this.#log.info(`the store answers again, after ${secondsText(awayMs / 1000)} away`, { away_ms: awayMs, failed_at: new Date(down.failedAt).toISOString() });
  }

  /** The outage going on (`to` null), else the last one that ended; null when none was seen. */
  get outage(): StoreOutageSpan | null {
    const down = this.#down;
    if (down !== null) return { from: new Date(down.lastAnswer ?? down.failedAt).toISOString(), to: null };
    return this.#last;
  }

  /**
   * Asks `probe` (a small read of the store) every `everyMs` in which nothing else said how the store is,
   * so a host nobody looks at still knows, and logs, when its store goes and comes. Returns the stop.
   */
  watch(probe: () => Promise<unknown>, everyMs: number): () => void {
    let asking = false;
    const timer = setInterval(() => {
      // Told within the last half period by another read: nothing to ask.
      if (asking || this.#now() - this.#reportedAt < everyMs / 2) return;
      asking = true;
      probe()
        .then(
          () => this.answered(),
          (error: unknown) => this.failed(error),
        )
        .finally(() => {
          asking = false;
        });
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  #tellDown(down: Down, now: number): void {
    down.told = true;
    this.#toldAt = now;
    const held = this.#held;
    this.#held = 0;
    const again = held > 0 ? ` (it also stopped ${held} more time(s) in the last ${TOLD_EVERY_MS / 1000} s, each answering again within it)` : '';
    const since = down.failedAt === now ? '' : `, ${secondsText((now - down.failedAt) / 1000)} ago`;
    this.#log.warn(`the store stopped answering${since}${again}`, { error: down.error, ...(down.lastAnswer === null ? {} : { last_answer: new Date(down.lastAnswer).toISOString() }) });
  }
}
