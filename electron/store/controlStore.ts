import type { Actor, ControlState } from '../../shared/domain.ts';
import type { DrainEnded } from './drain.ts';

/** The control state after an operator's change, and whether the change did anything. */
export interface ControlChange {
  state: ControlState;
  changed: boolean;
}

/** What an emergency stop found as it engaged, read in the transaction that engaged it. */
export interface StoppedJobs {
  /** The running jobs of each service, which their workers are asked to stop. */
  runningByService: Record<string, number>;
  /** The pending jobs, due or not: no worker claims one until the stop is released. */
  pending: number;
}

/** An emergency stop's change: what it found, or null for a resume or a stop already engaged (it stopped nothing). */
export interface EmergencyStopChange extends ControlChange {
  stopped: StoppedJobs | null;
}

/** The Store's control state (control.ts of each dialect): the emergency stop, safe mode and its drain, paused queues. */
export interface ControlStore {
  // Each change is audited and announced in its own transaction. One asking for what is already so (a
  // stop engaged again, a resume with none engaged, safe mode as asked, a queue already paused or not
  // paused) writes nothing, so the who, when and why in force stay, audits nothing, tells no worker, and
  // answers `changed` false: decided in that transaction, so of two operators at once one is told it
  // changed the state, the one whose change was audited.
  getControl(): Promise<ControlState>;
  setEmergencyStop(engaged: boolean, actor: Actor, reason: string | null): Promise<EmergencyStopChange>;
  /**
   * With `drainSeconds`, safe mode on (or kept on) and a drain recorded: the running jobs have that long to
   * finish, then endDrain stops the rest. Always a change, audited, even with safe mode on already: the
   * drain is what was asked. Safe mode off ends any drain with it; on without one leaves one under way.
   */
  setSafeMode(engaged: boolean, actor: Actor, reason: string | null, drainSeconds?: number): Promise<ControlChange>;
  /**
   * Ends a drain whose deadline has passed, in one transaction, once whoever calls first (every worker and
   * a CLI waiting on it try): with jobs still running and the emergency stop not engaged, engages it in
   * the name of who asked for the drain, with drainStopReason, audited. Null when no drain is due.
   */
  endDrain(): Promise<DrainEnded | null>;
  setQueuePaused(queue: string, paused: boolean, actor: Actor, reason: string | null): Promise<ControlChange>;
}
