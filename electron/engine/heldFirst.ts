import type { DispatcherOptions } from './dispatcherOptions.ts';
import { extendLeases, type LeaseHolder } from './leaseExtension.ts';
import type { Running } from './running.ts';

/** The results a dispatcher has not recorded yet (ResultRecorder). */
export interface HeldResults {
  /** A settle failed because the store could not take it: its results wait for the settler's retry. */
  readonly failing: boolean;
  /** Sends them now rather than after the settler's backoff; true once they landed. */
  landHeld(): Promise<boolean>;
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
 * settler's backoff and their leases, run out during the outage, waited for any watchdog. So while an
 * extension has failed or a settle waits for its retry, the dispatcher claims nothing; and as soon as the
 * store answers again (StoreContact), whether or not the dispatcher would claim then, the leases are extended
 * and the results sent at once. Until then the claim loop asks the store nothing: heartbeats, the extension
 * timer and the settler's retries find it back.
 */
export class HeldFirst {
  readonly #leases: LeaseHolder;
  readonly #results: HeldResults;
  #extending: Promise<void> | null = null;
  /** The last extension failed: the leases held are not confirmed. */
  #unconfirmed = false;
  /** The store answered again: what is held is being landed. */
  #landing: Promise<boolean> | null = null;

  constructor(opts: Pick<DispatcherOptions, 'store' | 'workerId' | 'leaseMs' | 'log' | 'contact'>, holdings: Holdings) {
    const { store, workerId, leaseMs, log, contact } = opts;
    const { executing, buffer, releaseBuffered, results } = holdings;
    this.#leases = { store, workerId, leaseMs, log, contact, executing, buffer, releaseBuffered, unsettled: () => results.leasesKept() };
    this.#results = results;
    contact.onAnswersAgain(() => {
      this.#landing ??= this.#land().finally(() => {
        this.#landing = null;
      });
      holdings.wake();
    });
  }

  /** Extends every lease held (leaseExtension.ts), one extension at a time: one asked for while another is under way shares it. */
  extend(): Promise<void> {
    this.#extending ??= extendLeases(this.#leases)
      .then(
        () => {
          this.#unconfirmed = false;
        },
        (error: unknown) => {
          this.#unconfirmed = true;
          throw error;
        },
      )
      .finally(() => {
        this.#extending = null;
      });
    return this.#extending;
  }

  /** Whether the dispatcher may claim now: nothing held waits on the store, or all of it has just landed. */
  ready(): Promise<boolean> {
    return this.#landing ?? Promise.resolve(!this.#unconfirmed && !this.#results.failing);
  }

  async #land(): Promise<boolean> {
    try {
      await this.extend();
    } catch {
      // Told where it failed: the jobs stopped for it are logged, and the store is lost again until it answers.
      return false;
    }
    return this.#results.landHeld();
  }
}
