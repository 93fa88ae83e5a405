import { errorMessage } from '../runners/result.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import type { Settlement } from '../store/store.ts';
import type { Batcher, FlushLeft } from './batcher.ts';
import type { DispatcherOptions } from './dispatcherOptions.ts';
import { settledResult, type SettledResult } from './engineEvents.ts';
import type { IdleWatch } from './idleWatch.ts';
import { failedInstead, halves } from './refusedResult.ts';
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
  /** Past drain: the store is closing, so a settle it refuses says nothing of the result. */
  #stopping = false;
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
    this.#settler = createSettler((items) => this.#flush(items), opts.log);
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
    return this.#unsettled.values();
  }

  /** Attempts whose settle may still land: kept from this worker's watchdog (Dispatcher.ownAttempts). */
  owned(): Iterable<number> {
    return this.#unsettled.keys();
  }

  /** Attempts waiting to be recorded. */
  held(): Iterable<number> {
    return this.#unsettled.keys();
  }

  /** The results a failed settle left are sent now, not after the settler's backoff; resolves once that try ended. */
  landHeld(): Promise<void> {
    return this.#settler.retryNow();
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
    this.#stopping = true;
    this.#settler.close();
  }

  /**
   * One batch. A store away (a transient failure) has the whole batch tried again after the settler's backoff.
   * A batch the store refuses otherwise is split until the results it refuses stand alone, so the others land
   * now rather than wait behind them until the watchdog spends their attempts as lost.
   */
  async #flush(settlements: Settlement[]): Promise<FlushLeft<Settlement> | null> {
    const parts = [settlements];
    for (let part = parts.shift(); part; part = parts.shift()) {
      try {
        await this.#settle(part);
      } catch (error) {
        if (this.#stopping || isStoreUnavailable(error)) return { items: [part, ...parts].flat(), error };
        if (part.length > 1) parts.unshift(...halves(part));
        else if (part[0]) {
          const instead = await this.#refused(part[0], error);
          if (instead === 'refuses all') {
            this.#letGo(parts.flat(), error);
            return null;
          }
          if (instead) return { items: [instead.settlement, ...parts.flat()], error: instead.error };
        }
      }
    }
    return null;
  }

  /**
   * A result the store refuses alone, for a reason no retry changes: told at error, and recorded as failed
   * instead, into the dead-letter queue. Returns that replacement with the store's error when the store is
   * away meanwhile, to be tried again. A hand-back (no attempt of this worker's holds it) is let go. When the
   * store refuses even the failure, which carries nothing but the job's ids and a message, it refuses anything
   * (a privilege revoked, a schema gone): 'refuses all', and the rest of the batch is let go with it rather than
   * split down to every last result.
   */
  async #refused(refused: Settlement, error: unknown): Promise<{ settlement: Settlement; error: unknown } | 'refuses all' | null> {
    const running = this.#unsettled.get(refused.attemptId);
    const fields = { job_id: refused.jobId, attempt_id: refused.attemptId, result: refused.kind, error: errorMessage(error) };
    if (!running) {
      this.#unanswered.answered([refused]);
      this.#opts.log.error('the store refused to record a result, and will every time; a watchdog takes the job back once its lease runs out', fields);
      return null;
    }
    this.#opts.log.error('the store refused to record a result, and will every time; recording the job as failed instead, into the dead-letter queue', fields);
    const instead = failedInstead(refused, error, running.job.service_name);
    try {
      await this.#settle([instead]);
      return null;
    } catch (again) {
      if (isStoreUnavailable(again)) return { settlement: instead, error: again };
      this.#opts.log.error('the store refused to record the job as failed too; its lease is let go, and a watchdog takes the job back once it runs out', { ...fields, error: errorMessage(again) });
      this.#unsettled.delete(refused.attemptId);
      this.#unanswered.answered([refused]);
      return 'refuses all';
    }
  }

  /** Results the store will not take: their leases are no longer extended nor kept from this worker's watchdog. */
  #letGo(settlements: Settlement[], error: unknown): void {
    if (settlements.length === 0) return;
    for (const s of settlements) this.#unsettled.delete(s.attemptId);
    this.#unanswered.answered(settlements);
    const jobIds = settlements.map((s) => s.jobId);
    this.#opts.log.error('the store refuses any result of this worker; letting the leases of the rest go, a watchdog takes their jobs back once they run out', { results: jobIds.length, job_ids: jobIds.slice(0, 20), error: errorMessage(error) });
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
      throw error;
    }
    // After an outage this may be the store's first answer. A settle that fails is not told: the heartbeats
    // and extensions say whether the store is away, and a settle refused for what it carries was answered.
    this.#opts.contact.answered();
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
