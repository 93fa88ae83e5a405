import type { Logger } from '../log/logger.ts';
import type { ReclaimResult, Store } from '../store/store.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { EngineEmitter } from './engineEvents.ts';
import { tellReclaimed } from './reclaimLog.ts';
import type { ReclaimLimit, StoreContact } from './storeContact.ts';

/** What a watchdog reads, and tells of what it took back. */
export interface WatchdogOptions {
  store: Store;
  log: Logger;
  contact: StoreContact;
  workerId: string;
  dispatcher: Pick<Dispatcher, 'ownAttempts' | 'wake'>;
  emitter: EngineEmitter;
}

/**
 * One worker's watchdog: takes back jobs whose lease ran out, except those this worker will settle itself
 * (Dispatcher.ownAttempts): a job it stopped because the store was unreachable goes back with its attempt
 * given back when that settle lands, whether the store comes back before or after the lease ran out.
 * Another worker's watchdog cannot know why the lease ran out, and records the attempt lost; so while this
 * worker has lost the store, and for a grace after it answers again, it takes back its own and only those
 * of the other workers' that ran out before the loss began (StoreContact): the others were cut off like it,
 * and their results are on their way.
 */
export class Watchdog {
  readonly #opts: WatchdogOptions;

  constructor(opts: WatchdogOptions) {
    this.#opts = opts;
  }

  async run(): Promise<void> {
    const { store, contact, dispatcher } = this.#opts;
    const sentAt = Date.now();
    const own = dispatcher.ownAttempts();
    const reclaimed: ReclaimResult = { retried: [], failed: [], cancelled: [] };
    try {
      for (const [expiredBefore, owner] of this.#looks(contact.reclaimLimit(sentAt))) {
        const took = await store.reclaimExpired(expiredBefore, own, owner);
        reclaimed.retried.push(...took.retried);
        reclaimed.failed.push(...took.failed);
        reclaimed.cancelled.push(...took.cancelled);
      }
    } catch (error) {
      contact.failed(error, sentAt);
      // A look that failed after another took jobs back: those are told all the same.
      await this.#tell(reclaimed);
      throw error;
    }
    contact.answered();
    await this.#tell(reclaimed);
  }

  /** Every expired lease at once, or as limited: this worker's own, then the others' that ran out before the limit. */
  #looks(limit: ReclaimLimit | null): Array<[Date | undefined, string | undefined]> {
    if (!limit) return [[undefined, undefined]];
    const own: [Date | undefined, string | undefined] = [undefined, this.#opts.workerId];
    return Number.isFinite(limit.othersBefore) ? [own, [new Date(limit.othersBefore), undefined]] : [own];
  }

  async #tell(reclaimed: ReclaimResult): Promise<void> {
    const { store, log, dispatcher, emitter } = this.#opts;
    const ids = [...reclaimed.retried, ...reclaimed.failed, ...reclaimed.cancelled];
    if (ids.length === 0) return;
    emitter.emit('job', { ids });
    dispatcher.wake();
    await tellReclaimed(store, log, reclaimed);
  }
}
