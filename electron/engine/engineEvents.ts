import type { BreakerMode, BreakerState, ControlState, ExecutionType, WorkerState } from '../../shared/domain.ts';
import type { Logger } from '../log/logger.ts';
import type { Settlement } from '../store/store.ts';
import type { Running } from './running.ts';

/** What an engine tells its host, which forwards it to the console as contract events. */
export interface EngineEvents {
  job: { ids: number[] };
  breaker: { service: string; state: BreakerState; mode: BreakerMode; reason: string };
  control: ControlState;
  worker: { id: string; state: WorkerState; in_flight: number };
  /** One claim round trip: how long the store took and how many jobs it leased. */
  claimed: { seconds: number; count: number };
  /** One settle round trip: how long the store took and the results it recorded. */
  settled: { seconds: number; results: SettledResult[] };
}

/** One recorded result, as metrics count it. */
export interface SettledResult {
  service: string;
  queue: string;
  execution_type: ExecutionType;
  kind: Settlement['kind'];
  /** The error class of a failed attempt (retried or dead-lettered), else null. */
  error_class: string | null;
  /** How long the attempt ran; null for a job handed back before it started. */
  seconds: number | null;
}

/**
 * A recorded settlement of a job this worker claimed, as the `settled` event tells it. Its kind is that of
 * the settings it started with, or for one that never started, those of the registry in use as it went
 * back (the dispatcher sets them then); the job's own when that registry names its service no more.
 */
export function settledResult(s: Settlement, running: Running): SettledResult {
  const job = running.job;
  return {
    service: job.service_name,
    queue: job.queue,
    execution_type: running.service?.execution_type ?? job.execution_type,
    kind: s.kind,
    error_class: s.kind === 'retry' || s.kind === 'failed' ? s.error.error_class : null,
    seconds: running.runMs === null ? null : running.runMs / 1000,
  };
}
export type EngineEventName = keyof EngineEvents;

type Listener<E extends EngineEventName> = (payload: EngineEvents[E]) => void;

export class EngineEmitter {
  #listeners: { [E in EngineEventName]: Set<Listener<E>> } = {
    job: new Set(),
    breaker: new Set(),
    control: new Set(),
    worker: new Set(),
    claimed: new Set(),
    settled: new Set(),
  };
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  on<E extends EngineEventName>(event: E, listener: Listener<E>): () => void {
    const set: Set<Listener<E>> = this.#listeners[event];
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Whether anyone listens: the hot path builds a payload only then. */
  listening(event: EngineEventName): boolean {
    return this.#listeners[event].size > 0;
  }

  emit<E extends EngineEventName>(event: E, payload: EngineEvents[E]): void {
    const set: Set<Listener<E>> = this.#listeners[event];
    for (const listener of set) {
      try {
        listener(payload);
      } catch (error) {
        // A host's listener must never take the engine down with it.
        this.#log.error('an engine event listener failed', { event, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}
