import { StoreError } from '../store/errors.ts';
import type { Settlement } from '../store/store.ts';
import type { Batcher } from './batcher.ts';
import type { DispatcherOptions } from './dispatcherOptions.ts';
import { settledResult, type SettledResult } from './engineEvents.ts';
import type { IdleWatch } from './idleWatch.ts';
import type { Running } from './running.ts';
import { createSettler } from './settler.ts';
import { UnansweredSettles } from './unansweredSettles.ts';
import { delay } from './waits.ts';
import type { Wakeup } from './wakeup.ts';

/**
 * A dispatcher's finished attempts, from their result until their settle lands: settled in batches
 * (settler.ts), what landed told to the breakers, the job log and the host.
 */
export class ResultRecorder {
  /** By attempt id: finished, settlement queued or being written; the lease must still be kept alive. */
  #unsettled = new Map<number, Running>();
  /**
   * The last settle failed for a reason that does not pass by itself (not a transient StoreError): retrying
   * may never land, so its results' leases are no longer extended nor kept from this worker's watchdog
   * (ownAttempts), which takes them back once the leases run out, as before the settle was kept apart.
   */
  #settleStuck = false;
  readonly #settler: Batcher<Settlement>;
  /** Settles that got no answer: what they recorded is told when they are sent again. */
  readonly #unanswered = new UnansweredSettles();
  readonly #opts: DispatcherOptions;
  readonly #idle: IdleWatch;
  readonly #wakeup: Wakeup;

  constructor(opts: DispatcherOptions, idle: IdleWatch, wakeup: Wakeup) {
    this.#opts = opts;
    this.#idle = idle;
    this.#wakeup = wakeup;
    this.#settler = createSettler((items) => this.#settle(items), opts.log);
  }

  /** The attempt ended: its settlement is queued, its lease kept until it lands. */
  add(running: Running, settlement: Settlement): void {
    this.#unsettled.set(running.job.attempt_id, running);
    this.#settler.add(settlement);
  }

  /** Queues a settlement of an attempt this worker never tracked (a stray). */
  handBack(settlement: Settlement): void {
    this.#settler.add(settlement);
  }

  /** The results whose leases are kept alive. */
  leasesKept(): Iterable<Running> {
    // A settle stuck for good lets its leases run out, so its watchdog (ownAttempts) can take the jobs back.
    return this.#settleStuck ? [] : this.#unsettled.values();
  }

  /** Attempts whose settle may still land: kept from this worker's watchdog (Dispatcher.ownAttempts). */
  owned(): Iterable<number> {
    return this.#settleStuck ? [] : this.#unsettled.keys();
  }

  /** Attempts waiting to be recorded. */
  held(): Iterable<number> {
    return this.#unsettled.keys();
  }

  /** Nothing is waiting to be recorded, nor being written. */
  get quiet(): boolean {
    return this.#unsettled.size === 0 && !this.#settler.busy;
  }

  /** Records what it can within 5 s, then takes no more retries. */
  async drain(): Promise<void> {
    const drained = this.#settler.drain();
    const gaveUp = await Promise.race([drained.then(() => false), delay(5000).then(() => true)]);
    if (gaveUp) {
      const unrecorded = [...this.#unsettled.values()].map((r) => r.job.id);
      const fields = { jobs: unrecorded.length, job_ids: unrecorded.slice(0, 20) };
      this.#opts.log.warn('could not record every result before stopping; the watchdog will take those jobs back and run them again', fields);
    }
    // A result that comes later still (a job that did not stop) is tried once, never retried past the store's close.
    this.#settler.close();
  }

  async #settle(settlements: Settlement[]): Promise<void> {
    const { store } = this.#opts;
    const sent = performance.now();
    let landed: Set<number>;
    let seconds: number;
    try {
      landed = new Set(await store.settle(settlements));
      seconds = (performance.now() - sent) / 1000;
      for (const id of await this.#unanswered.landedEarlier(store, settlements, landed)) landed.add(id);
    } catch (error) {
      // Nothing of this try is told anywhere yet: the next try tells what landed, this one's included.
      this.#unanswered.unanswered(settlements);
      this.#settleStuck = !(error instanceof StoreError && error.transient);
      throw error;
    }
    this.#settleStuck = false;
    this.#unanswered.answered(settlements);
    this.#idle.changed();
    const now = new Date();
    const { emitter, jobs } = this.#opts;
    const results: SettledResult[] | null = emitter.listening('settled') ? [] : null;
    for (const s of settlements) {
      const running = this.#unsettled.get(s.attemptId);
      this.#unsettled.delete(s.attemptId);
      if (!landed.has(s.jobId)) {
        // Another worker or an operator took the job (an earlier try whose answer never came and recorded
        // it after all counts as landed: UnansweredSettles).
        jobs.notRecorded(s);
        continue;
      }
      if (!running) continue;
      this.#opts.breakers.recordSettled(s, running.breakerVerdict, running.job.service_name, running.probe, now);
      jobs.settled(s, running.job, running.runMs, running.cause);
      results?.push(settledResult(s, running));
    }
    if (results) emitter.emit('settled', { seconds, results });
    emitter.emit('job', { ids: settlements.map((s) => s.jobId) });
    // Idle needs a claim after the last result has landed; one after each earlier settle would only
    // take the server from the settles still to come.
    if (this.#idle.waiting && this.#unsettled.size === 0) this.#wakeup.wake();
  }
}
