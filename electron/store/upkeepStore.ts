import type { PruneCutoffs } from '../../shared/retention.ts';

/** The Store's upkeep: its schema, its kept counts, retention's pruning, the rollups' hours, space given back. */
export interface UpkeepStore {
  migrationStatus(): Promise<MigrationStatus>;
  /**
   * Compares the kept counts with the jobs themselves (a full read of the job table: for diagnose and
   * tests, never for the console). With `repair`, the kept counts are rewritten to match the jobs.
   */
  checkCounts(repair: boolean): Promise<CountDrift[]>;
  /**
   * Takes (or renews) the upkeep task `task` for `ttlMs` when nobody else holds it: true when this owner
   * holds it now. One process of all that share the store does the upkeep at a time.
   */
  takeMaintenance(task: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the upkeep task up when `owner` holds it, so another process may take it at once; else nothing. */
  releaseMaintenance(task: string, owner: string): Promise<void>;
  /** Who holds the upkeep task and until when; null when nobody does (never taken, given up, or run out). */
  maintenanceHolder(task: string): Promise<MaintenanceHolder | null>;
  /** How many jobs the cutoffs would prune now, and about how many bytes they take. */
  pruneEstimate(cutoffs: PruneCutoffs): Promise<PruneEstimate>;
  /**
   * Prunes one batch, in one short transaction: of the next `size` jobs by id after `afterId`, those
   * finished before their cutoff (completed, cancelled, dead letters an operator resolved) go with their
   * attempts. Pending, running and unresolved failed jobs are never pruned. `done` once the jobs left are
   * all newer than every cutoff.
   */
  pruneBatch(cutoffs: PruneCutoffs, afterId: number, size: number): Promise<PruneBatch>;
  /**
   * Removes up to `maxRows` rows of the per-minute history older than `before`, and the summed hours wholly
   * before it; answers how many went.
   */
  pruneHistory(before: Date, maxRows: number): Promise<number>;
  /**
   * One step of summing the rollups' whole hours per execution type (rollupHours.ts), those before the hour
   * holding `through`, up to `maxHours` of them: what `rollupsByType` reads in place of their minutes.
   * Safe beside another process's step (one waits for, or leaves the work to, the other).
   */
  sumRollupHours(through: Date, maxHours: number): Promise<HoursSummed>;
  /**
   * The store's own time: PostgreSQL's `now()`, by which every settle of every worker dates its minute, so
   * a worker whose clock runs ahead cannot sum an hour the server still writes into; this machine's on SQLite.
   */
  clock(): Promise<Date>;
  /** Gives freed space back to the file system, a little at a time (SQLite); answers what it gave and what is left. */
  reclaimSpace(maxBytes: number): Promise<SpaceReport>;
}

/** What a step of summing hours did: how many hours it summed, and whether none before `through` is left. */
export interface HoursSummed {
  hours: number;
  done: boolean;
}

export interface PruneCounts {
  completed: number;
  cancelled: number;
  /** Dead letters an operator had resolved, and the workflow tasks their failure had blocked (pruned with their run). */
  dead_letters: number;
}

export interface MaintenanceHolder {
  owner: string;
  /** When the lease runs out unless its owner renews it. */
  until: string;
}

export interface PruneEstimate extends PruneCounts {
  /** About how much the jobs and their attempts take, from the tables' average row size. */
  bytes: number;
}

export interface PruneBatch extends PruneCounts {
  /** The last job id this batch looked at: the next batch starts after it. */
  lastId: number;
  done: boolean;
}

export interface SpaceReport {
  /** Bytes given back to the file system by this call. */
  freedBytes: number;
  /** Bytes still free inside the store, to be given back or reused. */
  freeBytes: number;
}

/** A queue and state whose kept count is not what the jobs say. */
export interface CountDrift {
  queue: string;
  service_name: string;
  execution_type: string;
  /** A job status, or `dead_letter` for failed jobs not yet resolved (counted per fingerprint). */
  state: string;
  /** The dead letters' error fingerprint; '' for every other state. */
  fingerprint: string;
  kept: number;
  actual: number;
}

export interface MigrationStatus {
  applied: number;
  pending: number;
  /** Every migration of this build is applied and none of them changed. */
  current: boolean;
}
