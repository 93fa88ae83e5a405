/**
 * The runbooks' words (shared troubleshooting guides written for other job systems) mapped to opsdeck's.
 * An alias runs the opsdeck command; a hint names the command that does the job and exits 2, so an
 * operator following a runbook is never left with a bare "unknown command".
 */
export interface Alias {
  /**
   * The command line it stands for; every word typed after the alias follows as typed, so the alias
   * means what the command means (process-jobs --verbose logs at debug, as worker --verbose does).
   */
  to: string[];
}

export const ALIASES: Record<string, Alias> = {
  'list-runners': { to: ['runners'] },
  'runner-status': { to: ['runners'] },
  'queue-status': { to: ['status'] },
  'migrate-schema': { to: ['migrate'] },
  'process-jobs': { to: ['worker'] },
  // The view the runbooks read for "performance issues": jobs.v_execution_performance_by_type.
  'execution-performance': { to: ['performance'] },
  'performance-by-type': { to: ['performance'] },
  // Runbook 002's pipelines are opsdeck's workflows: pipeline show 3 is workflow show 3.
  pipeline: { to: ['workflow'] },
  pipelines: { to: ['workflow', 'runs'] },
  // Runbook 001's dead_letter_queue table and its watchdog's heartbeats (worker_registry.last_heartbeat).
  'dead-letter-queue': { to: ['dlq'] },
  heartbeats: { to: ['workers'] },
};

const SHUTDOWN =
  'opsdeck safe-mode on --drain SECONDS stops claiming, lets running jobs finish, then stops what still runs; opsdeck emergency-stop stops everything now; a worker drains on SIGTERM';
const RECOVER =
  'opsdeck workflow retry RUN runs a workflow again from its failed tasks, keeping what succeeded; opsdeck dlq retry sends dead letters back';
const BACKUP =
  'opsdeck keeps jobs, history, schedules, keys and the audit log in its store: copy a SQLite one with sqlite3 FILE ".backup COPY" (safe while workers run), a PostgreSQL one with pg_dump --schema=jobs; back up the registry file too, and keep the secrets\' environment variables where they are set';
const EXECUTIONS =
  'opsdeck jobs lists executions (--status failed, --service S, --class C); opsdeck job ID traces one; opsdeck errors groups recent failures; a workflow\'s executions are its runs: opsdeck workflow runs --status failed --limit 10, opsdeck workflow show RUN';
// Runbook 004's "ensure the scheduler service is running": opsdeck has no such service to check.
const SCHEDULER =
  'opsdeck runs no scheduler service: every worker fires the schedules; opsdeck health-check scheduler fails when an active schedule is overdue or no live worker would fire it, opsdeck schedule list shows the next fires';
const COSTS = "opsdeck keeps no cost figures; opsdeck performance shows each execution type's volume and latency, opsdeck errors its recent failures";
const INSPECT = "opsdeck workflow show RUN shows a run's state: each task, its job, and why it waits or failed; opsdeck workflow runs lists the runs";

// Runbook 002's disk, profiling, debug logging and step-by-step debugging, typed as commands.
const DISK =
  "opsdeck watches no host's disk; opsdeck diagnose shows the store's size, opsdeck prune --dry-run how much finished work past its retention would free (opsdeck prune frees it; retention: in the registry)";
const PROFILE = 'opsdeck performance --by service shows p50/p95/p99 durations and throughput per service; opsdeck workflow stats per workflow; opsdeck workflow show RUN how long each task took';
const STEP =
  "opsdeck has no step mode: opsdeck pause QUEUE holds the jobs of a queue, a workflow's next tasks among them, while opsdeck workflow show RUN and opsdeck job ID show what ran; opsdeck unpause QUEUE lets them go";

// A host's own tools (top, ps, tail, a service manager), typed as opsdeck commands: what shows the same here.
const RUNNING = 'opsdeck workers shows each worker with its heartbeat, jobs in flight, memory and CPU; opsdeck jobs --status running lists the jobs running now';
const TAIL = "opsdeck logs -f follows the desktop app's log (a worker logs on its own stdout); opsdeck errors groups the recent failures";
const WATCHDOG =
  "opsdeck runs no watchdog of its own: every worker takes back the jobs whose lease ran out; opsdeck workers shows each worker's heartbeat, opsdeck health-check worker:NAME checks the workers of one name";
const START =
  'opsdeck has no service to start: a worker is a process you run, opsdeck worker --registry FILE [--name NAME], under systemd or another supervisor that stops it with SIGTERM (it drains first); SIGHUP reloads its registry without a restart; opsdeck workers shows which run';
const PERMISSIONS =
  "opsdeck services NAME shows a service's runner settings: its command, allowed_commands, working directory, timeouts and the variables its secrets come from; opsdeck jobs --class allowlist --service NAME lists its allowlist refusals";
const BUDGETS =
  "opsdeck rate-limit list shows each service's rate limit and max_concurrent, in force and in use (the runbooks' worker budgets); opsdeck rate-limit tune SERVICE changes them at run time";

export const HINTS: Record<string, string> = {
  'test-vars': 'opsdeck validate-config FILE names every environment variable the registry references that is not set',
  'security-audit': 'opsdeck jobs --class allowlist --service NAME lists a service\'s allowlist refusals (commands and images); opsdeck validate-config FILE checks each service\'s security_policy',
  'version-check': 'opsdeck --version prints this build; opsdeck health-check says whether the store\'s schema matches it',
  'runner-health': 'opsdeck runners',
  executions: EXECUTIONS,
  execution: EXECUTIONS,
  memory: "opsdeck workers shows each worker's memory (heap and resident) from its heartbeat; opsdeck job ID shows a job's peak memory; a service's limit is security_policy.resource_limits.memory_mb",
  scheduler: SCHEDULER,
  disk: DISK,
  'disk-space': DISK,
  'check-disk-space': DISK,
  df: DISK,
  cleanup: DISK,
  profile: PROFILE,
  profiler: PROFILE,
  bottlenecks: PROFILE,
  debug: "opsdeck worker --log-level debug logs each job's life (claimed, then completed or handed back); opsdeck job ID traces one job; opsdeck logs --level debug prints the desktop app's log",
  step: STEP,
  breakpoint: STEP,
  'step-mode': STEP,
  cost: COSTS,
  costs: COSTS,
  shutdown: SHUTDOWN,
  recover: RECOVER,
  // Runbook 001's functions (core.dlq, core.circuit_breaker), typed as commands: snake or kebab case.
  'move-to-dlq': 'opsdeck fail ID --reason TEXT moves a job to the dead-letter queue (--force while a live worker holds it); opsdeck fail --stuck --reason TEXT moves every stuck one',
  'get-dlq-items': 'opsdeck dlq list (--service S, --search TEXT, --fingerprint FP); opsdeck dlq groups groups them by failure',
  'retry-dlq-item': 'opsdeck dlq retry ID [ID…] sends dead letters back to pending',
  'retry-all-matching': 'opsdeck dlq retry --search TEXT sends back every open dead letter whose error contains TEXT (--dry-run counts first)',
  'resolve-dlq-item': 'opsdeck dlq resolve ID --note TEXT',
  'get-circuit-breaker-status': 'opsdeck breaker list shows every breaker: state, failures in the window, pending jobs',
  'reset-circuit-breaker': 'opsdeck breaker reset SERVICE --reason TEXT',
  'reset-all-circuit-breakers': 'opsdeck breaker reset --all --reason TEXT',
  'update-circuit-breaker-settings': 'opsdeck breaker tune SERVICE --failure-threshold N --reset-timeout S (at run time, for every worker; --defaults undoes)',
  // Runbook 002's orchestrator: state inspection, recovery from checkpoints, shutdown, validation.
  inspect: INSPECT,
  state: INSPECT,
  'inspect-pipeline-state': INSPECT,
  'get-pipeline-state': INSPECT,
  checkpoint: RECOVER,
  recovery: RECOVER,
  restore: RECOVER,
  'recover-failed-pipeline': RECOVER,
  'restore-pipeline': RECOVER,
  'resume-from-checkpoint': RECOVER,
  'get-latest-checkpoint': 'opsdeck keeps no checkpoints of its own: each task of a run is a job whose result is kept, so opsdeck workflow retry RUN goes on from the failed tasks; opsdeck workflow show RUN shows where it stands',
  'force-shutdown': SHUTDOWN,
  'emergency-shutdown': SHUTDOWN,
  'stop-new-requests': 'opsdeck safe-mode on stops claiming new jobs everywhere (--drain SECONDS then stops what still runs); opsdeck enqueue keeps accepting jobs for later',
  'restore-from-backup': BACKUP,
  'restore-database': BACKUP,
  validate: 'opsdeck validate-config FILE checks a registry (services, workflows with their dependencies and cycles, schedules, alert rules) and names every problem by file:line:col',
  'validate-pipeline': 'opsdeck validate-config FILE checks every workflow of a registry: unknown services, missing dependencies and cycles, by file:line:col',
  'alert-rules': 'opsdeck alerts list shows every alert rule and its state; opsdeck alerts save-rule FILE adds one',
  'error-patterns': 'opsdeck errors groups the recent failures by class and fingerprint; opsdeck dlq groups groups the dead letters',
  'run-health-checks': 'opsdeck health-check checks every component (store, migrations, registry, runners, workers, dispatch, breakers, workflows, scheduler); health-check NAME checks one',
  'api-costs': COSTS,
  'api-cost': COSTS,
  backup: BACKUP,
  top: RUNNING,
  ps: RUNNING,
  tail: TAIL,
  watchdog: WATCHDOG,
  start: START,
  restart: START,
  stop: SHUTDOWN,
  permissions: PERMISSIONS,
  permission: PERMISSIONS,
  'worker-budgets': BUDGETS,
  'worker-budget': BUDGETS,
};

/** The hint for a word typed as a command, in snake case or kebab case, any letter case. */
export function hintFor(name: string): string | undefined {
  return HINTS[name.toLowerCase().replaceAll('_', '-')];
}

/** The words typed, with an alias replaced by its command. */
export function expandAlias(argv: string[]): string[] {
  const [name, ...rest] = argv;
  // Typed as the runbook spells it (dead_letter_queue) or in kebab case, any letter case.
  const alias = name === undefined ? undefined : ALIASES[name.toLowerCase().replaceAll('_', '-')];
  if (!alias) return argv;
  return [...alias.to, ...rest];
}
