import { CONSOLE_CHECK, CONSOLE_RESET, type CheckWords } from '../../shared/breakerRecord.ts';
import type { CallName } from '../../shared/contract.ts';
import { CONSOLE_STUCK_WORDS, type StuckWords } from '../../shared/lostLeasesText.ts';

/** A stuck workflow run's remedies in an interface's words (InterfaceWords.workflowRun). */
export interface RunWords {
  show(run: number | null): string;
  cancel(run: number | null): string;
  retry(run: number | null): string;
}

/** What the control plane holds dispatch by, each lifted its own way. */
export type ControlHold = { kind: 'emergency_stop' } | { kind: 'safe_mode' } | { kind: 'paused_queue'; queue: string };

/** The calls a refusal points to as where to look or what to do instead; every interface says each one. */
export type PointedCall =
  | 'workers.list'
  | 'workers.forget'
  | 'schedules.list'
  | 'schedules.pause'
  | 'runners.list'
  | 'breakers.list'
  | 'alerts.history'
  | 'registry.validate'
  | 'runners.connectivity'
  | 'runners.validateToken';

/**
 * What the operator can do next, in the words of the interface the answer is read in. A handler says its
 * remedy once, as the call's own input (pause with force) or another call (the list of workers); the host
 * that asked lends the words through the context: an option and a command on the command line, a body
 * field and an endpoint over REST, a control and a page in the console.
 */
export interface InterfaceWords {
  /** `field` given as `value` when making `call` again: `--force`, `"force": true in the body`, `force`. */
  input(call: CallName, field: string, value: boolean | number | string): string;
  /** Making `call`: `opsdeck workers`, `GET /v1/workers`, `the Runners page`. */
  call(call: PointedCall, input?: Readonly<Record<string, string>>): string;
  /** Giving this process a registry: `pass --registry FILE`, `load one in Settings`. */
  loadRegistry(): string;
  /** Lifting a hold, said after it: `opsdeck resume releases it`, `POST /v1/control/resume releases it`, `Resume in the banner at the top releases it`. */
  release(hold: ControlHold): string;
  /** Resetting a service's circuit breaker: `opsdeck breaker reset S`, `POST /v1/breakers/S/reset`, `Reset beside S on the Breakers page`. */
  resetBreaker(service: string): string;
  /** How a worker is started, after "start one with": `opsdeck worker`; the console can also run jobs itself. */
  startWorker(): string;
  /** How a queue whose workers are all busy gets more slots, after "more capacity: ". */
  moreCapacity(): string;
  /** Giving a service back the registry's rate limit (`registry`, that budget in words): `opsdeck rate-limit tune S --defaults goes back to …`. */
  rateLimitDefaults(service: string, registry: string): string;
  /**
   * What moves a stuck workflow run on, each a clause said of run `run`, or with null of any of several
   * (a placeholder, or "each"): what says which task holds it, what ends it, and what runs its failed and
   * cancelled tasks again, which workflowsCheck says only of a run that has one (retry refuses any other).
   */
  workflowRun: RunWords;
  /** Applying a store's pending migrations, said after "pending: ". */
  migrate(): string;
  /** Listing the stuck jobs, and failing them. */
  stuckJobs: StuckWords;
  /** Listing job `id` among the stuck jobs, and failing it: said of "it". */
  stuckJob(id: number): StuckWords;
  /** Checking a service by hand: its connectivity, or its runner's probe. */
  checkByHand: CheckWords;
  /** Running the health check named `check` (`store`, `runner`): `opsdeck health-check store`, `GET /v1/health/store`. */
  healthCheck(check: string): string;
}

const CONSOLE_PLACES: Record<PointedCall, (input: Readonly<Record<string, string>>) => string> = {
  'workers.list': () => 'the Runners page',
  'workers.forget': (input) => `Forget beside ${input.id ?? 'it'} on the Runners page`,
  'breakers.list': () => 'the Breakers page',
  'schedules.list': () => 'the Schedules page',
  'schedules.pause': (input) => `Pause beside ${input.name ?? 'it'} on the Schedules page`,
  'runners.list': () => 'the Runners page',
  'alerts.history': () => 'History on the Alerts page',
  'registry.validate': (input) => `Validate ${input.path === undefined ? '' : `${input.path} `}in Settings (Service registry)`,
  'runners.connectivity': (input) => `Test connectivity beside ${input.service ?? 'it'} under Diagnostics on the Runners page`,
  'runners.validateToken': (input) => `Validate token beside ${input.service ?? 'it'} under Diagnostics on the Runners page`,
};

/** The console's words: its controls and pages, for the hosts whose answers are read in it (the desktop, opsdeck serve). */
export const CONSOLE_WORDS: InterfaceWords = {
  input: (_call, field, value) => (value === true ? field : `${field} ${String(value)}`),
  call: (call, input = {}) => CONSOLE_PLACES[call](input),
  loadRegistry: () => 'load one in Settings (Service registry)',
  // Each hold has its banner at the top of every page, with the button that lifts it.
  release: (hold) => {
    if (hold.kind === 'emergency_stop') return 'Resume in the banner at the top releases it';
    if (hold.kind === 'safe_mode') return 'Leave safe mode in the banner at the top';
    return 'Resume queue in its banner at the top';
  },
  resetBreaker: CONSOLE_RESET,
  // Settings' local execution makes this console a worker of its store.
  startWorker: () => 'opsdeck worker on a server, or turn on local execution in Settings',
  // A worker's slots are its --concurrency, given as it starts: no control of the console changes them.
  moreCapacity: () => 'start another worker (opsdeck worker on a server, or turn on local execution in Settings) or restart one with a higher --concurrency',
  rateLimitDefaults: (service, registry) => `Change… beside ${service} on the Breakers page, then Back to the registry's settings, gives back the registry's: ${registry}`,
  // The run's page has Cancel run, and Retry from TASK, which works only once a task failed or was cancelled.
  workflowRun: {
    show: (run) => `open ${run === null ? 'each' : `run ${run}`} from the Runs list on the Workflows page: its graph shows which task holds it`,
    cancel: () => 'Cancel run there ends it',
    retry: () => 'Retry from its failed or cancelled tasks there runs them again',
  },
  // The console has no migrate of its own: a host applies them as it opens its store.
  migrate: () => 'restart this console, which applies them as it opens the store, or run opsdeck migrate on it',
  stuckJobs: CONSOLE_STUCK_WORDS,
  // A task's name on the run page opens its job's drawer, which has the button.
  stuckJob: () => ({ list: 'the Jobs page with "Stuck only" lists it', fail: '"Fail now" in its job\'s drawer (its name opens it) fails it' }),
  checkByHand: CONSOLE_CHECK,
  // The panel runs every check at once; the one meant is among them.
  healthCheck: (check) => `Run health check under Diagnostics on the Runners page (its ${check})`,
};
