import type { BreakerMode, BreakerState, ControlState, WorkerState } from '../../shared/domain.ts';

/** What an engine tells its host, which forwards it to the console as contract events. */
export interface EngineEvents {
  job: { ids: number[] };
  breaker: { service: string; state: BreakerState; mode: BreakerMode; reason: string };
  control: ControlState;
  worker: { id: string; state: WorkerState; in_flight: number };
}
export type EngineEventName = keyof EngineEvents;

type Listener<E extends EngineEventName> = (payload: EngineEvents[E]) => void;

export class EngineEmitter {
  #listeners: { [E in EngineEventName]: Set<Listener<E>> } = {
    job: new Set(),
    breaker: new Set(),
    control: new Set(),
    worker: new Set(),
  };
  readonly #log: (line: string) => void;

  constructor(log: (line: string) => void) {
    this.#log = log;
  }

  on<E extends EngineEventName>(event: E, listener: Listener<E>): () => void {
    const set: Set<Listener<E>> = this.#listeners[event];
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<E extends EngineEventName>(event: E, payload: EngineEvents[E]): void {
    const set: Set<Listener<E>> = this.#listeners[event];
    for (const listener of set) {
      try {
        listener(payload);
      } catch (error) {
        // A host's listener must never take the engine down with it.
        this.#log(`engine: a ${event} listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
