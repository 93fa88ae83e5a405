import type { Logger } from '../log/logger.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import { SETTLE_RETRY_MOST_MS } from './settler.ts';

/** Whose expired leases a watchdog takes back now: its own, and the other workers' that ran out before `othersBefore` (epoch ms; -Infinity: none). */
export interface ReclaimLimit {
  othersBefore: number;
}

/**
 * Whether this worker has lost the store, and so whose expired leases its watchdog may take back now.
 *
 * An outage cuts every worker off at once: none can extend its leases, so when the store answers again the
 * leases have run out by the clock under workers that are alive and hold results, completed jobs among them.
 * A watchdog that took them back then recorded those attempts lost and ran the jobs again. So a worker that
 * saw the outage (a call of its own found the store unavailable) leaves alone the other workers' leases that
 * ran out since the loss began, until a grace after its store answers again (reclaimGraceMs), time for their
 * owners to extend them and land what they hold; its own it takes back as ever, and so the others' that ran
 * out before the loss began: their owners stopped renewing them while the store still answered, so this
 * outage is not why (a dead worker's, say).
 *
 * A loss too short for any lease to lapse (under an extension interval: one call timed out, a deadlock's
 * victim) starts no grace: a worker whose calls fail now and then would otherwise renew its grace for ever,
 * and a fleet of them would never take back a dead worker's jobs. A worker that never lost the store cannot
 * tell an outage elsewhere from a dead worker, and takes back every expired lease on time: a worker cut off
 * alone still loses its jobs as the lease model says.
 */
export class StoreContact {
  /** When the store last answered, epoch ms; before its first answer, as long ago as can be. */
  #answeredAt = -Infinity;
  /** The loss under way began when the store last answered before a call found it unavailable; null while it answers. */
  #lostSince: number | null = null;
  /** Until when, epoch ms, only the other workers' leases that ran out before #othersBefore are taken back. */
  #graceEnds = 0;
  #othersBefore = 0;
  readonly #graceMs: number;
  readonly #lapseMs: number;
  readonly #log: Logger;
  readonly #answersAgain: Array<() => void> = [];

  /** `lapseMs`: how long a loss lasts before leases may lapse under it (an extension interval). */
  constructor(opts: { graceMs: number; lapseMs: number; log: Logger }) {
    this.#graceMs = opts.graceMs;
    this.#lapseMs = opts.lapseMs;
    this.#log = opts.log;
  }

  /** The store found unavailable or unanswering, as the last answer says, since then. */
  get lost(): boolean {
    return this.#lostSince !== null;
  }

  /**
   * A call sent at `sentAt` (epoch ms) failed. Only the store being unavailable loses it: a call refused for
   * what it carried was answered. Nor does a call sent before the store last answered: that answer is newer
   * news (a call stuck on a connection that a network change stranded fails long after the store answered
   * on a new one).
   */
  failed(error: unknown, sentAt: number): void {
    if (!isStoreUnavailable(error) || sentAt < this.#answeredAt) return;
    this.#lostSince ??= this.#answeredAt;
  }

  /** A call to the store was answered: after a loss, the store answers again. */
  answered(now = Date.now()): void {
    this.#answeredAt = Math.max(this.#answeredAt, now);
    const since = this.#lostSince;
    if (since === null) return;
    this.#lostSince = null;
    // Its first calls failed: lost since ever, no duration to tell.
    const unanswered = Number.isFinite(since) ? { unanswered_ms: now - since } : {};
    if (now - since >= this.#lapseMs) this.#startGrace(since, now, unanswered);
    else this.#log.info('the store answers again', unanswered);
    for (const listener of this.#answersAgain) listener();
  }

  /** Told each time the store answers again after a loss. */
  onAnswersAgain(listener: () => void): void {
    this.#answersAgain.push(listener);
  }

  /** Whose expired leases the watchdog may take back now: every worker's (null), or as limited while lost and through the grace. */
  reclaimLimit(now = Date.now()): ReclaimLimit | null {
    const inGrace = now < this.#graceEnds;
    if (this.#lostSince === null) return inGrace ? { othersBefore: this.#othersBefore } : null;
    return { othersBefore: inGrace ? Math.min(this.#othersBefore, this.#lostSince) : this.#lostSince };
  }

  /**
   * A loss long enough for leases to lapse ended. A grace under way is extended, and keeps the start of its
   * own loss: leases that ran out in that loss may still wait for their owners.
   */
  #startGrace(since: number, now: number, unanswered: { unanswered_ms?: number }): void {
    this.#othersBefore = now < this.#graceEnds ? Math.min(this.#othersBefore, since) : since;
    this.#graceEnds = now + this.#graceMs;
    this.#log.info(`the store answers again; taking back other workers' expired leases from ${clockTime(this.#graceEnds)}, once they have had time to report`, {
      from: new Date(this.#graceEnds).toISOString(),
      ...unanswered,
    });
  }
}

/**
 * How long a worker that lost the store leaves other workers' expired leases alone once it answers again.
 * Their owners find the store back by their own next call, extend their leases at the next extension (an
 * extension renews a lease that ran out, while nobody took it) and try their held results again after at
 * most the settler's longest backoff. One more extension interval is the margin: a server just restarted
 * answers slowly, and each worker comes back to it at its own pace.
 */
export function reclaimGraceMs(extendEveryMs: number): number {
  return 2 * extendEveryMs + SETTLE_RETRY_MOST_MS;
}

/** HH:MM:SS on this machine's clock, as the log lines' own times are written. */
function clockTime(ms: number): string {
  const t = new Date(ms);
  return [t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
