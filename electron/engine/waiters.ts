import { delay } from './waits.ts';

/** Callers waiting for one moment (idle, a job finished), all let go at once when it comes. */
export class Waiters {
  #waiting: Array<() => void> = [];

  get size(): number {
    return this.#waiting.length;
  }

  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Until `done()` holds or `ms` has passed, looking again at each release and at least every 100 ms. */
  async waitUntil(done: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) {
      await Promise.race([this.wait(), delay(Math.min(100, deadline - Date.now()))]);
    }
  }

  release(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
  }
}
