import type { Actor, ExecutionType } from '../../shared/domain.ts';
import type { RegistryHolder } from '../config/holder.ts';
import type { Engine } from '../engine/engine.ts';
import type { InterfaceWords } from './interfaceWords.ts';
import type { Runner } from '../runners/runner.ts';
import type { Store } from '../store/store.ts';
import type { StoreWatch } from './storeWatch.ts';

/**
 * What the host lets the console change about itself. A host that cannot do something leaves the
 * callback out, and the call answers `conflict` saying so (the CLI cannot switch stores mid-command).
 */
export interface HostSettings {
  /** Whether this process also runs jobs (an Engine is attached). */
  localExecution: boolean;
  setLocalExecution?(enabled: boolean): Promise<void>;
  /** Opens the store at `url`, and only when that worked closes the old one and switches to it. */
  switchStore?(url: string): Promise<void>;
  /** The rotating log file this host writes, when it writes one (the desktop app). */
  logFile?: string;
  /** Shows the log file's folder in the file manager: only a host with a desktop can. */
  openLogFolder?(): Promise<void>;
}

/**
 * Which opsdeck process answers the calls. A check that reads this process's own environment or files
 * (validate-token, the registry check) says whose they are: the console's are not the workers'.
 */
export type AnsweredBy = 'console' | 'command' | 'api' | 'worker';

/**
 * Everything a handler may use. Hosts build it once (createRuntime) and may replace `store` and
 * `engine` when the operator switches stores or toggles local execution: handlers read them per call.
 */
export interface ApiContext {
  store: Store;
  registry: RegistryHolder;
  engine: Engine | null;
  actor: Actor;
  env: Record<string, string | undefined>;
  settings: HostSettings;
  /** How answers word what to do next for whoever reads them (the CLI's options, REST's body fields, the console's controls). */
  words: InterfaceWords;
  /** Absent: a process that did not say (tests), written "this process". */
  answeredBy?: AnsweredBy;
  /**
   * Set when the caller may not learn this host's files or environment (a read API key): the checks of a
   * text it sends skip what would read them, and say so with this, what those checks need ("an operate key");
   * health checks say how the store and the registry are, not where they are or as whom.
   */
  hostHidden?: string;
  /**
   * Set when `store` stands in for none (a command that found no store to read, and runs without one):
   * why, so an answer that reads the store says its part is missing instead of reading an empty one.
   */
  storeStandIn?: string;
  /** The runner kinds health probes ask; when absent a default set is made on first use. */
  runners?: Map<ExecutionType, Runner>;
  /**
   * A long-lived host's record of its store's outages (the console's hosts): when the store stopped and
   * started answering again. Absent in a one-shot command, which saw none.
   */
  storeWatch?: StoreWatch;
}
