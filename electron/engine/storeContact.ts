import type { Logger } from '../log/logger.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import { SETTLE_RETRY_MOST_MS } from './settler.ts';

/**
 * Whether this worker has lost the store, and so whose expired leases its watchdog may take back now.
 *
 * An outage cuts every worker off at once: none can extend its leases, so when the store answers again the
 * leases have run out by the clock under workers that are alive and hold results, completed jobs among them.
 * A watchdog that took them back then recorded those attempts lost and ran the jobs again. So a worker that
 * saw the outage (a call of its own found the store unavailable) leaves the other workers' expired leases alone until a grace
 * after its store answers again (reclaimGraceMs), time for their owners to extend them and land what they
 * hold; its own it takes back as ever. A worker that never lost the store cannot tell an outage elsewhere
 * from a dead worker, and takes back every expired lease on time: a worker cut off alone still loses its
 * jobs as the lease model says.
 */
export class StoreContact {
  /** A call found the store unavailable, and none was answered since. */
  #lost = false;
  /** When the store last answered, epoch ms. */
  #answeredAt = -Infinity;
  /** From when, in epoch ms, other workers' expired leases are taken back again. */
  #othersFrom = 0;
  readonly #graceMs: number;
  readonly #log: Logger;
  readonly #answersAgain: Array<() => void> = [];

  constructor(opts: { graceMs: number; log: Logger }) {
    this.#graceMs = opts.graceMs;
    this.#log = opts.log;
  }

  /**
   * A call sent at `sentAt` (epoch ms) failed. Only the store being unavailable loses it: a call refused for
   * what it carried was answered. Nor does a call sent before the store last answered: that answer is newer
   * news (a call stuck on a connection that a network change stranded fails long after the store answered
   * on a new one).
   */
  failed(error: unknown, sentAt: number): void {
    if (isStoreUnavailable(error) && sentAt >= this.#answeredAt) this.#lost = true;
  }

  /** A call to the store was answered: after a loss, the store answers again. */
  answered(now = Date.now()): void {
    this.#answeredAt = Math.max(this.#answeredAt, now);
    if (!this.#lost) return;
    this.#lost = false;
    this.#othersFrom = now + this.#graceMs;
    this.#log.info(`the store answers again; taking back other workers' expired leases from ${clockTime(this.#othersFrom)}, once they have had time to report`, {
      from: new Date(this.#othersFrom).toISOString(),
    });
    for (const listener of this.#answersAgain) listener();
  }

  /** Told each time the store answers again after a failure. */
  onAnswersAgain(listener: () => void): void {
    this.#answersAgain.push(listener);
  }

  /** The worker whose expired leases the watchdog may take back now: `own` while lost and through the grace, else any (undefined). */
  reclaimOwner(own: string, now = Date.now()): string | undefined {
    return this.#lost || now < this.#othersFrom ? own : undefined;
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
