import type { ControlState } from '../../shared/domain.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../store/store.ts';

/**
 * Follows the shared control state: told of changes by store signals, and polling as the fallback for
 * signals that cannot cross processes (another process writing the same SQLite file) or got lost.
 */
export class ControlWatcher {
  #state: ControlState | null = null;
  #timer: NodeJS.Timeout | null = null;
  #reading: Promise<void> | null = null;
  #readAgain = false;
  #failing = false;
  readonly #store: Store;
  readonly #pollMs: number;
  readonly #onState: (state: ControlState, changed: boolean) => void;
  readonly #log: Logger;

  constructor(opts: {
    store: Store;
    pollMs: number;
    /** Called after every read; `changed` when the version moved (always true for the first read). */
    onState: (state: ControlState, changed: boolean) => void;
    log: Logger;
  }) {
    this.#store = opts.store;
    this.#pollMs = opts.pollMs;
    this.#onState = opts.onState;
    this.#log = opts.log;
  }

  get state(): ControlState | null {
    return this.#state;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#pollMs);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  refresh(): Promise<void> {
    if (this.#reading) {
      this.#readAgain = true;
      return this.#reading;
    }
    this.#reading = this.#read().finally(() => {
      this.#reading = null;
      if (this.#readAgain) {
        this.#readAgain = false;
        void this.refresh();
      }
    });
    return this.#reading;
  }

  async #read(): Promise<void> {
    let state: ControlState;
    try {
      state = await this.#store.getControl();
    } catch (error) {
      if (!this.#failing) this.#log.warn('could not read the control state', { error: error instanceof Error ? error.message : String(error) });
      this.#failing = true;
      return;
    }
    this.#failing = false;
    const changed = this.#state === null || this.#state.version !== state.version;
    this.#state = state;
    this.#onState(state, changed);
  }
}
