import type { Store } from '../store/store.ts';
import type { Logger } from '../log/logger.ts';

/**
 * Services whose upstream answered 429 with Retry-After: no worker of the fleet starts their jobs until
 * then. Stored in the control plane (Store.pauseService); each worker keeps a copy, read again on a
 * control signal and every few seconds, and leaves paused services out of its claims.
 */
export class ServicePauses {
  readonly #store: Store;
  readonly #log: Logger;
  #until = new Map<string, number>();

  constructor(store: Store, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  /** True when the set of paused services changed (a pause began or ended). */
  async refresh(now: Date = new Date()): Promise<boolean> {
    const before = this.paused(now).sort().join('\n');
    const pauses = await this.#store.listServicePauses();
    this.#until = new Map(pauses.map((p) => [p.service_name, Date.parse(p.until)]));
    return this.paused(now).sort().join('\n') !== before;
  }

  isPaused(service: string, now: Date): boolean {
    return (this.#until.get(service) ?? 0) > now.getTime();
  }

  /** Services paused at `now`. */
  paused(now: Date): string[] {
    const out: string[] = [];
    for (const [service, until] of this.#until) if (until > now.getTime()) out.push(service);
    return out;
  }

  /** An upstream asked to wait `ms`: pauses the service here at once and for the fleet through the store. */
  async pause(service: string, ms: number, reason: string, now: Date = new Date()): Promise<void> {
    const until = now.getTime() + ms;
    if ((this.#until.get(service) ?? 0) < until) this.#until.set(service, until);
    try {
      await this.#store.pauseService(service, new Date(until), reason);
    } catch (error) {
      this.#log.error('engine: could not pause a service for the fleet', { service, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
