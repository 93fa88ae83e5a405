import type { ExecutionType, JsonObject, ResourceUsage } from '../../shared/domain.ts';
import type { ServiceConfig } from '../../shared/registry.ts';

/** Why the engine aborted a run: the runner must stop promptly and report the same reason back. */
export type AbortReason = 'interrupt' | 'timeout' | 'cancel';

export interface RunRequest {
  jobId: number;
  identifier: string;
  attempt: number;
  payload: unknown;
  service: ServiceConfig;
  /** Seconds for this attempt. */
  timeoutSeconds: number;
  /** Aborted with an AbortReason as `signal.reason`. */
  signal: AbortSignal;
  /** The environment secrets and passed-through variables are read from; never copied into results. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface RunError {
  message: string;
  /** A stable class for fingerprints and filters: e.g. `exit_code`, `http_503`, `allowlist`, `config`. */
  error_class: string;
  retryable: boolean;
  /** The server asked for this wait (HTTP Retry-After, a throttled Lambda). */
  retry_after_ms?: number;
}

export interface RunResult {
  ok: boolean;
  /** Set when ok is false. */
  error?: RunError;
  /** Set when the run ended because the signal fired. */
  aborted?: AbortReason;
  /** Set when the signal fired before the runner was started: nothing ran. */
  unstarted?: true;
  /**
   * Set when nothing ran for want of what is this machine's alone, for certain: a Docker daemon's socket
   * missing, refusing or not permitted before any container was made (what a probe's `certain` judges).
   * The engine hands the job back, attempt not spent, for a worker that has it; `error` says what was met.
   */
  lacksHere?: true;
  output_tail: string;
  resource_usage: ResourceUsage;
  security_context: JsonObject;
}

export interface HealthResult {
  ok: boolean;
  /** Passing, yet worth a look: what is missing is missing only from the process that checked, which runs no job. */
  warning?: boolean;
  detail: string;
  /**
   * Of the services probed, those whose jobs would fail here, each with why in its jobs' words, without the
   * service's name: what a worker records per service. Absent: the kind does not say per service.
   */
  cannotStart?: Record<string, string[]>;
  /**
   * Of those, the ones whose every job fails here for certain, for what is this machine's alone: a Docker
   * daemon's socket missing, refusing or not permitted (the runner's docker_unavailable). A daemon slow to
   * answer, or answering with an error, is no certainty.
   */
  certain?: string[];
}

/** Where a check runs, for its words: "the console's process"; whether that process runs jobs of its own. */
export interface CheckedIn {
  process: string;
  runsJobs: boolean;
  /**
   * False: check only what is this machine's (programs, the Docker daemon, credentials), never an upstream:
   * a worker checking its services at each start and reload must not send every upstream a request.
   */
  upstreams?: boolean;
}

/** One runner kind. A runner never throws from run(): every failure is a RunResult with an error. */
export interface Runner {
  readonly kind: ExecutionType;
  run(request: RunRequest): Promise<RunResult>;
  /** Answers whether what this kind needs is there (the Docker daemon, the Lambda endpoint, the base URL). */
  probe(services: ServiceConfig[], env: Readonly<Record<string, string | undefined>>, checkedIn: CheckedIn): Promise<HealthResult>;
}
