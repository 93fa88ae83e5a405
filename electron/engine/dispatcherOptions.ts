import type { ExecutionType } from '../../shared/domain.ts';
import type { Registry, RegistryProblem, ServiceConfig } from '../../shared/registry.ts';
import type { Logger } from '../log/logger.ts';
import type { Runner } from '../runners/runner.ts';
import type { Store } from '../store/store.ts';
import type { BreakerKeeper } from './breakerKeeper.ts';
import type { EngineEmitter } from './engineEvents.ts';
import type { JobLog } from './jobLog.ts';
import type { ServicePauses } from './servicePauses.ts';
import type { StoreContact } from './storeContact.ts';

/** What the engine needs of the registry: RegistryHolder is one. */
export interface RegistrySource {
  readonly registry: Registry;
  /** The file it was read from, said in the worker's start line; absent or null: none. */
  readonly path?: string | null;
  /** The sha256 of the bytes it was read from, and when: the registry the worker declares and its refusals name. */
  readonly digest?: string | null;
  readonly loadedAt?: Date | null;
  /** What the load of `registry` warned of (not a later load refused): the checks that say a service's every job will fail. */
  readonly warnings?: readonly RegistryProblem[];
  service(name: string): ServiceConfig | undefined;
  /** Told of each registry that took; returns what stops telling. */
  onChange?(listener: (registry: Registry) => void): () => void;
}

export interface DispatcherOptions {
  store: Store;
  registry: RegistrySource;
  runners: Map<ExecutionType, Runner>;
  breakers: BreakerKeeper;
  /** Services an upstream's 429 paused for the fleet. */
  pauses: ServicePauses;
  emitter: EngineEmitter;
  workerId: string;
  concurrency: number;
  queues: string[] | null;
  env: Record<string, string | undefined>;
  leaseMs: number;
  pollMs: number;
  log: Logger;
  /** Each job's life: claims, results, failures. */
  jobs: JobLog;
  /** Whether the store answers this worker: its claims, settles and lease extensions say, and wait on it after an outage. */
  contact: StoreContact;
  /** Services whose every job would fail on this worker as it stands (CannotRunCheck): its claims leave them to others. */
  declined: (registry: Registry) => readonly string[];
  /** Whether the last look found this Docker service's daemon certainly away (CannotRunCheck.daemonAway). */
  daemonAway: (service: ServiceConfig) => boolean;
  /** A run met this Docker service's daemon certainly away before a look did (`words`: what it met): claims leave it out, and a look starts. */
  runFoundAway: (service: ServiceConfig, words: string) => void;
}
