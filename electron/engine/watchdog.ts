import type { Logger } from '../log/logger.ts';
import type { ReclaimResult, Store } from '../store/store.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { EngineEmitter } from './engineEvents.ts';
import { tellReclaimed } from './reclaimLog.ts';
import type { StoreContact } from './storeContact.ts';

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
 * worker has lost the store, and for a grace after it answers again, it takes back only its own
 * (StoreContact): the other workers were cut off like it, and their results are on their way.
 */
export class Watchdog {
  readonly #opts: WatchdogOptions;

  constructor(opts: WatchdogOptions) {
    this.#opts = opts;
  }

  async run(): Promise<void> {
    const { store, log, contact, workerId, dispatcher, emitter } = this.#opts;
    const sentAt = Date.now();
    let reclaimed: ReclaimResult;
    try {
      reclaimed = await store.reclaimExpired(undefined, dispatcher.ownAttempts(), contact.reclaimOwner(workerId, sentAt));
    } catch (error) {
      contact.failed(error, sentAt);
      throw error;
    }
    contact.answered();
    const ids = [...reclaimed.retried, ...reclaimed.failed, ...reclaimed.cancelled];
    if (ids.length === 0) return;
    emitter.emit('job', { ids });
    dispatcher.wake();
    await tellReclaimed(store, log, reclaimed);
  }
}
