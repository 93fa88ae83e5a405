import type { DispatcherOptions } from './dispatcherOptions.ts';
import { extendLeases, type LeaseHolder } from './leaseExtension.ts';
import type { Running } from './running.ts';
import type { StoreContact } from './storeContact.ts';

/** The results a dispatcher has not recorded yet (ResultRecorder). */
export interface HeldResults {
  /** Sends what a failed settle left now rather than after the settler's backoff. */
  landHeld(): Promise<void>;
  /** The results whose leases are kept until they land. */
  leasesKept(): Iterable<Running>;
}

/** What a dispatcher holds: its jobs and results, and how to hand back jobs claimed ahead and to wake its claim loop. */
export interface Holdings extends Pick<LeaseHolder, 'executing' | 'buffer' | 'releaseBuffered'> {
  results: HeldResults;
  wake(): void;
}

/**
 * What a dispatcher holds for the store goes before it claims more: the extensions of its leases and the
 * results it could not record. After an outage, claiming first, a worker leased new jobs beside the old ones
 * the store still had running (one of 40 slots showed 80 running), while its held results waited out the
 * settler's backoff and their leases, run out during the outage, waited for any watchdog. So while the
 * worker has lost the store (StoreContact: an extension, a heartbeat, a claim or a reclaim found it
 * unavailable) the dispatcher claims nothing, and the claim loop asks the store nothing: heartbeats, the
 * extension timer and the settler's retries find it back. As soon as the store answers again, whether or not
 * the dispatcher would claim then, the leases are extended and the results sent at once, and it claims once
 * both have ended. A settle that failed on a store that answers otherwise (a deadlock's victim, a statement
 * cancelled) holds up no claim: its results wait for the settler's retry like any other while the worker
 * goes on.
 */
export class HeldFirst {
  readonly #leases: LeaseHolder;
  readonly #results: HeldResults;
  readonly #contact: Pick<StoreContact, 'lost'>;
  #extending: Promise<void> | null = null;
  /** The store answered again: what is held is being landed. */
  #landing: Promise<void> | null = null;

  constructor(opts: Pick<DispatcherOptions, 'store' | 'workerId' | 'leaseMs' | 'log' | 'contact'>, holdings: Holdings) {
    const { store, workerId, leaseMs, log, contact } = opts;
    const { executing, buffer, releaseBuffered, results } = holdings;
    this.#leases = { store, workerId, leaseMs, log, contact, executing, buffer, releaseBuffered, unsettled: () => results.leasesKept() };
    this.#results = results;
    this.#contact = contact;
    contact.onAnswersAgain(() => {
      this.#landing ??= this.#land().finally(() => {
        this.#landing = null;
      });
      holdings.wake();
    });
  }

  /** Extends every lease held (leaseExtension.ts), one extension at a time: one asked for while another is under way shares it. */
  extend(): Promise<void> {
    this.#extending ??= extendLeases(this.#leases).finally(() => {
      this.#extending = null;
    });
    return this.#extending;
  }

  /** Whether the dispatcher may claim now; a promise only while what it holds is landing, whose end it waits for. */
  ready(): boolean | Promise<boolean> {
    if (this.#landing) return this.#landing.then(() => !this.#contact.lost);
    return !this.#contact.lost;
  }

  /**
   * Each whatever the other's outcome: a settle is fenced by the job's worker and attempt, not by the lease's
   * time, and an extension that fails is told where it failed (the jobs stopped for it are logged, and the
   * store is lost again until it answers).
   */
  async #land(): Promise<void> {
    await Promise.allSettled([this.extend(), this.#results.landHeld()]);
  }
}
