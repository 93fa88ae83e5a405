/**
 * A sleep that can be cut short: the dispatcher waits on it when there is nothing to do, and anything
 * that might make work available (a signal, a freed slot, a control change) wakes it. A wake with nobody
 * waiting is remembered, so a wake that lands between "found nothing" and "went to sleep" is not lost.
 */
export class Wakeup {
  #pending = false;
  #resolve: ((woken: boolean) => void) | null = null;
  #timer: NodeJS.Timeout | null = null;

  wake(): void {
    if (this.#resolve) this.#settle(true);
    else this.#pending = true;
  }

  /** True when woken, false when `ms` passed without a wake. */
  wait(ms: number): Promise<boolean> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      this.#resolve = resolve;
      this.#timer = setTimeout(() => this.#settle(false), ms);
    });
  }

  #settle(woken: boolean): void {
    const resolve = this.#resolve;
    this.#resolve = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    resolve?.(woken);
  }
}
