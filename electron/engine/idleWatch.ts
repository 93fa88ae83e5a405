import { Waiters } from './waiters.ts';

/**
 * When a dispatcher is idle, for those waiting on it (run-until-empty, demos, benchmarks): nothing held or
 * being claimed, and the last claim, begun after every change that may make jobs claimable, found nothing.
 * The epoch moves with each such change (a settle, a gate that moved: a breaker, a paused service, the
 * control plane; a new wait), so a claim begun before one of them no longer says nothing is runnable.
 */
export class IdleWatch {
  #epoch = 0;
  #emptyClaimEpoch = -1;
  readonly #waiters = new Waiters();

  /** The epoch a claim begins in, to compare with once it has answered. */
  get epoch(): number {
    return this.#epoch;
  }

  get waiting(): boolean {
    return this.#waiters.size > 0;
  }

  /** Something changed that a claim begun before could not see. */
  changed(): void {
    this.#epoch++;
  }

  /** A claim begun in `epoch` found nothing runnable (or none could be made: the gate is shut). */
  foundEmpty(epoch: number): void {
    this.#emptyClaimEpoch = epoch;
  }

  wait(): Promise<void> {
    return this.#waiters.wait();
  }

  /** Lets the waiters go if the last empty claim is of this epoch and `quiet`: nothing held, nothing being claimed. */
  check(quiet: boolean): void {
    if (this.#waiters.size > 0 && quiet && this.#emptyClaimEpoch === this.#epoch) this.#waiters.release();
  }

  /** Lets the waiters go whatever the state: the dispatcher stopped. */
  release(): void {
    this.#waiters.release();
  }
}
