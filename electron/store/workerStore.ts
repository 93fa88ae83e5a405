import type { Actor, WorkerCannotRun, WorkerInfo, WorkerMemory, WorkerPool, WorkerRegistry, WorkerState } from '../../shared/domain.ts';

/**
 * What a heartbeat measured of its process: its memory, its CPU use since the heartbeat before, and its
 * store's connection pool since then (null on SQLite).
 */
export interface WorkerUsage {
  memory: WorkerMemory | null;
  cpu_percent: number | null;
  pool: WorkerPool | null;
}

/** A heartbeat that measured nothing. */
export const UNMEASURED: WorkerUsage = { memory: null, cpu_percent: null, pool: null };

/** What a worker reports with each heartbeat. */
export interface WorkerBeat {
  /** The jobs it runs now. */
  inFlight: number;
  state: WorkerState;
  /** Given when the worker's registry changed, replaces the services it declared; left out, they are kept. */
  services?: string[];
  /** What this heartbeat measured, replacing the last; one without it leaves the worker's memory, CPU and pool unknown (null). */
  usage?: WorkerUsage;
  /** Given with `services` when the worker's registry changed, replaces the registry it declared; left out, it is kept. */
  registry?: WorkerRegistry;
  /**
   * Given after each check of what the worker lacks, replaces the last one; left out, the last is kept
   * (registering clears it: not known).
   */
  cannotRun?: WorkerCannotRun;
}

/** The Store's workers (control.ts of each dialect): registered, heartbeating, listed, forgotten. */
export interface WorkerStore {
  registerWorker(worker: WorkerRegistration): Promise<void>;
  /** False when the worker has no row (an operator forgot it, or it was pruned): it should register again. */
  heartbeat(workerId: string, beat: WorkerBeat): Promise<boolean>;
  listWorkers(lostAfterMs: number): Promise<WorkerInfo[]>;
  /**
   * Forgets a worker that stopped, or is lost (no heartbeat for `lostAfterMs`), and holds no running
   * job: its row goes and the change is audited (`worker.forget`) in one transaction. A worker still
   * heartbeating, or one a running job is still leased to (its leases not yet taken back), is left as
   * it is. Null when there is no such worker.
   */
  forgetWorker(id: string, lostAfterMs: number, actor: Actor): Promise<WorkerForget | null>;
}

/** What forgetWorker did: `forgotten`, or why not (`alive`, `holds_jobs`: `jobs` running jobs still leased to it). */
export interface WorkerForget {
  outcome: 'forgotten' | 'alive' | 'holds_jobs';
  /** The worker as it was. */
  worker: WorkerInfo;
  jobs: number;
}

export interface WorkerRegistration {
  id: string;
  /** Its name (`opsdeck worker --name`); left out, it has none. */
  name?: string | null;
  host: string;
  pid: number;
  version: string;
  concurrency: number;
  queues: string[] | null;
  /** The services its registry names: the jobs it can run. Left out, it is taken as able to run any. */
  services?: string[];
  /** The registry it runs (digest, file, load time); left out, not known. */
  registry?: WorkerRegistry | null;
}
