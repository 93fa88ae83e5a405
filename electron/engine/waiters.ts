/** Callers waiting for one moment (idle, a job finished), all let go at once when it comes. */
export class Waiters {
  #waiting: Array<() => void> = [];

  get size(): number {
    return this.#waiting.length;
  }

  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
  }
}
