/**
 * A sleep that can be cut short: the dispatcher waits on it when there is nothing to do, and anything
 * that might make work available (a signal, a freed slot, a control change) wakes it. A wake with nobody
 * waiting is remembered, so a wake that lands between "found nothing" and "went to sleep" is not lost.
 */
export class Wakeup {
  #pending = false;
  #resolve: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;

  wake(): void {
    if (this.#resolve) this.#settle();
    else this.#pending = true;
  }

  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
      this.#timer = setTimeout(() => this.#settle(), ms);
    });
  }

  #settle(): void {
    const resolve = this.#resolve;
    this.#resolve = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    resolve?.();
  }
}
