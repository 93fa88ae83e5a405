import { z } from 'zod';
import { plainString } from './fields.ts';
import { WorkflowConfig } from './workflow.ts';
import { ExecutionType, PRIORITY_MAX, PRIORITY_MIN } from './domain.ts';
import { Retention } from './retention.ts';
import { NewScheduleConfig } from './schedule.ts';
import { RateLimitConfig } from './rateLimit.ts';
import { AlertRules } from './alerts.ts';

/**
 * The service registry's shape, by example in examples/registry.yaml. Keys keep the names the operators'
 * runbooks use. Secrets are never values here: only the names of environment variables that hold them.
 */

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const retryFields = {
  max_retries: z.number().int().min(0).max(100),
  backoff_factor: z.number().min(1).max(10),
  /** Seconds. */
  max_backoff: z.number().positive().max(86_400),
  /** Seconds: the first retry's ceiling before the factor applies. */
  initial_backoff: z.number().positive().max(3600),
};

export const RetryConfig = z
  .object({
    max_retries: retryFields.max_retries.default(3),
    backoff_factor: retryFields.backoff_factor.default(2),
    max_backoff: retryFields.max_backoff.default(300),
    initial_backoff: retryFields.initial_backoff.default(1),
  })
  .strict();
export type RetryConfig = z.infer<typeof RetryConfig>;

/**
 * What a registry entry writes: only the keys given, no defaults filled in, so merging levels (runner_config,
 * service) lets each written key win and leaves the rest to the defaults at the end.
 */
const RetryOverrides = z.object(retryFields).partial().strict();

/** A day: longer than any breaker's wait should be; a breaker meant to stay open is forced open instead. */
const DAY_SECONDS = 86_400;
const atMostADay = `at most ${DAY_SECONDS} seconds (a day); to hold a breaker open longer, force it open`;

const breakerFields = {
  failure_threshold: z.number().int().min(1).max(1_000_000),
  /** Seconds an open breaker waits before letting probes through. */
  recovery_timeout: z.number().positive().max(DAY_SECONDS, atMostADay),
  /** Calls in the window before the threshold is considered: low, because job traffic is low. */
  minimum_volume: z.number().int().min(1).max(1_000_000),
  /** Seconds of the rolling window. */
  window: z.number().positive().max(DAY_SECONDS, atMostADay),
  half_open_probes: z.number().int().min(1).max(1000),
  /** Seconds a probe may take before it counts as failed. */
  probe_timeout: z.number().positive().max(DAY_SECONDS, atMostADay),
};

export const CircuitBreakerConfig = z
  .object({
    failure_threshold: breakerFields.failure_threshold.default(5),
    recovery_timeout: breakerFields.recovery_timeout.default(60),
    minimum_volume: breakerFields.minimum_volume.default(3),
    window: breakerFields.window.default(60),
    half_open_probes: breakerFields.half_open_probes.default(1),
    probe_timeout: breakerFields.probe_timeout.default(120),
  })
  .strict();
export type CircuitBreakerConfig = z.infer<typeof CircuitBreakerConfig>;

/** Some of a breaker's settings: what a registry entry or an operator's tuning writes. */
export const BreakerOverrides = z.object(breakerFields).partial().strict();
export type BreakerOverrides = z.infer<typeof BreakerOverrides>;

export const ResourceLimits = z
  .object({
    memory_mb: z.number().int().positive().optional(),
    cpu_seconds: z.number().int().positive().optional(),
  })
  .strict();

export const SecurityPolicy = z
  .object({
    allowed_commands: z.array(z.string()).optional(),
    allowed_roots: z.array(z.string()).optional(),
    allowed_images: z.array(z.string()).optional(),
    resource_limits: ResourceLimits.optional(),
    /** Where the runbook writes it; the service-level circuit_breaker wins key by key. */
    circuit_breaker: BreakerOverrides.optional(),
  })
  .strict();
export type SecurityPolicy = z.infer<typeof SecurityPolicy>;

export const ShellRunnerConfig = z
  .object({
    command: z.array(z.string()).min(1, 'command needs at least the program'),
    working_directory: z.string().optional(),
    /** Run as this account (name or uid); needs a worker running as root, as the runbook's "non-root user" advice implies. */
    user: z.string().min(1).optional(),
    env: z.array(envVarName).optional(),
    output_limit_bytes: z.number().int().positive().optional(),
    /**
     * Append a job's payload.args to the command. Off unless set: with it, whoever may enqueue chooses the
     * program's arguments, so set it only for a program whose arguments cannot make it run another.
     */
    payload_args: z.boolean().default(false),
    retry_config: RetryOverrides.optional(),
    timeout: z.number().positive().optional(),
  })
  .strict();

export const AuthConfig = z
  .object({
    token_env_var: envVarName.optional(),
    username_env_var: envVarName.optional(),
    password_env_var: envVarName.optional(),
  })
  .strict();

export const HttpRunnerConfig = z
  .object({
    base_url: z.url({ protocol: /^https?$/ }),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    path: z.string().default('/'),
    headers: z.record(z.string(), z.string()).optional(),
    timeout: z.number().positive().optional(),
    auth_type: z.enum(['none', 'bearer', 'basic']).default('none'),
    auth_config: AuthConfig.optional(),
    /** The server treats repeated requests with one Idempotency-Key as one: read timeouts may be retried. */
    idempotent: z.boolean().default(false),
    /** Seconds: the longest Retry-After honoured before the job fails as rate_limited. */
    max_retry_after: z.number().positive().default(300),
    retry_config: RetryOverrides.optional(),
  })
  .strict();

export const DockerVolume = z
  .object({
    host_path: z.string(),
    container_path: z.string(),
    mode: z.enum(['ro', 'rw']).default('ro'),
  })
  .strict();

export const DockerRunnerConfig = z
  .object({
    image: z.string().min(1),
    command: z.array(z.string()).optional(),
    /**
     * Append a job's payload.args to the container's command. Off unless set: with it, whoever may enqueue chooses the
     * program's arguments, so set it only for a program whose arguments cannot make it run another.
     */
    payload_args: z.boolean().default(false),
    working_dir: z.string().optional(),
    env: z.array(envVarName).optional(),
    volumes: z.array(DockerVolume).optional(),
    pull_policy: z.enum(['always', 'if_not_present', 'never']).default('if_not_present'),
    socket_path: z.string().default('/var/run/docker.sock'),
    registry_auth: z
      .object({ username_env_var: envVarName, password_env_var: envVarName })
      .strict()
      .optional(),
    timeout: z.number().positive().optional(),
    retry_config: RetryOverrides.optional(),
  })
  .strict();

export const ServerlessRunnerConfig = z
  .object({
    provider: z.enum(['aws_lambda', 'http_function']).default('aws_lambda'),
    function_name: z.string().optional(),
    region: z.string().optional(),
    /** A local stack's endpoint, for Lambda-compatible servers. */
    endpoint: z.url().optional(),
    url: z.url().optional(),
    access_key_env_var: envVarName.optional(),
    secret_key_env_var: envVarName.optional(),
    timeout: z.number().positive().optional(),
    retry_config: RetryOverrides.optional(),
  })
  .strict();

export const NoopRunnerConfig = z
  .object({
    sleep_ms: z.number().int().min(0).default(0),
    fail: z.boolean().default(false),
    fail_rate: z.number().min(0).max(1).default(0),
    fail_message: z.string().default('noop failure requested'),
    fail_retryable: z.boolean().default(true),
    timeout: z.number().positive().optional(),
    retry_config: RetryOverrides.optional(),
  })
  .strict();

export const RUNNER_CONFIGS = {
  shell: ShellRunnerConfig,
  http: HttpRunnerConfig,
  docker: DockerRunnerConfig,
  serverless: ServerlessRunnerConfig,
  noop: NoopRunnerConfig,
} as const;

export type ShellRunnerConfig = z.infer<typeof ShellRunnerConfig>;
export type HttpRunnerConfig = z.infer<typeof HttpRunnerConfig>;
export type DockerRunnerConfig = z.infer<typeof DockerRunnerConfig>;
export type ServerlessRunnerConfig = z.infer<typeof ServerlessRunnerConfig>;
export type NoopRunnerConfig = z.infer<typeof NoopRunnerConfig>;

const serviceCommon = {
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'use letters, digits, _ . - (at most 100)'),
  queue: plainString(100).default('default'),
  /** Seconds per attempt. */
  timeout: z.number().positive().max(86_400).default(300),
  concurrency: z.number().int().positive().optional(),
  priority: z.number().int().min(PRIORITY_MIN).max(PRIORITY_MAX).default(0),
  security_policy: SecurityPolicy.default({}),
  retry_config: RetryOverrides.optional(),
  circuit_breaker: BreakerOverrides.optional(),
  /** What an emergency stop does to a running job: back to pending (default) or into the DLQ. */
  on_interrupt: z.enum(['requeue', 'fail']).default('requeue'),
  description: z.string().optional(),
  /** Starts allowed per period across every worker (shared/rateLimit.ts); over it, jobs wait pending. */
  rate_limit: RateLimitConfig.optional(),
  /** Jobs of this service running at once across every worker, held exactly inside the claim. */
  max_concurrent: z.number().int().min(1).max(10_000).optional(),
};

export const ServiceConfig = z.discriminatedUnion('execution_type', [
  z.object({ ...serviceCommon, execution_type: z.literal('shell'), runner_config: ShellRunnerConfig }).strict(),
  z.object({ ...serviceCommon, execution_type: z.literal('http'), runner_config: HttpRunnerConfig }).strict(),
  z.object({ ...serviceCommon, execution_type: z.literal('docker'), runner_config: DockerRunnerConfig }).strict(),
  z
    .object({ ...serviceCommon, execution_type: z.literal('serverless'), runner_config: ServerlessRunnerConfig })
    .strict(),
  z
    .object({ ...serviceCommon, execution_type: z.literal('noop'), runner_config: NoopRunnerConfig.prefault({}) })
    .strict(),
]);
export type ServiceConfig = z.infer<typeof ServiceConfig>;

export const Registry = z
  .object({
    services: z.array(ServiceConfig),
    retention: Retention.optional(),
    schedules: z.array(NewScheduleConfig).optional(),
    workflows: z.array(WorkflowConfig).optional(),
    alerts: AlertRules.optional(),
  })
  .strict();
export type Registry = z.infer<typeof Registry>;

/** A registry problem located in its file. */
export const RegistryProblem = z.object({
  line: z.number().int().nullable(),
  col: z.number().int().nullable(),
  /** Dotted path into the document, e.g. services[2].runner_config.base_url */
  path: z.string(),
  message: z.string(),
  /** A warning never blocks loading (e.g. a secret's variable missing on this machine); absent means error. */
  severity: z.enum(['error', 'warning']).optional(),
});
export type RegistryProblem = z.infer<typeof RegistryProblem>;

export { ExecutionType };

/**
 * Effective retry config: runner_config.retry_config wins over the service level's, key by key, which wins
 * over the defaults; as effectiveTimeout, so one rule says where any setting written twice comes from.
 */
export function effectiveRetry(service: ServiceConfig): RetryConfig {
  return RetryConfig.parse({ ...service.retry_config, ...service.runner_config.retry_config });
}

/** Asked once or twice per dispatched job: parsed once per loaded service, not on every ask. */
const breakerConfigs = new WeakMap<ServiceConfig, CircuitBreakerConfig>();
const defaultBreakerConfig = Object.freeze(CircuitBreakerConfig.parse({}));

export function effectiveBreaker(service: ServiceConfig | undefined): CircuitBreakerConfig {
  if (service === undefined) return defaultBreakerConfig;
  let config = breakerConfigs.get(service);
  if (config === undefined) {
    config = Object.freeze(CircuitBreakerConfig.parse({ ...service.security_policy.circuit_breaker, ...service.circuit_breaker }));
    breakerConfigs.set(service, config);
  }
  return config;
}

/**
 * Per-attempt timeout in seconds: runner_config.timeout (as the runbook writes it) or the service's. The
 * runner's wins: the service level's always has a value (its default, 300), so it could never give way.
 */
export function effectiveTimeout(service: ServiceConfig): number {
  return service.runner_config.timeout ?? service.timeout;
}
