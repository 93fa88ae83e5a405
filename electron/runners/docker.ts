import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { JsonObject, ResourceUsage } from '../../shared/domain.ts';
import type { DockerRunnerConfig, SecurityPolicy, ServiceConfig } from '../../shared/registry.ts';
import { imageAllowed } from './imageAllowlist.ts';
import { lastLine, OutputTail } from './outputTail.ts';
import { payloadArgs } from './payloadArgs.ts';
import { aborted, abortReason, attemptSignal, elapsed, errorMessage, failure, success, unsetVariables, wrongKind, type ResultExtras } from './result.ts';
import type { AbortReason, HealthResult, Runner, RunError, RunRequest, RunResult } from './runner.ts';
import { within } from './within.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * dockerode is loaded by the first container or probe, not with the runner: most hosts never run a
 * container, and loading it would cost every CLI command and every worker start about 8 MB and a
 * tenth of a second.
 */
let dockerode: Promise<typeof Docker> | undefined;
const loadDocker = (): Promise<typeof Docker> => (dockerode ??= import('dockerode').then((m) => m.default));

export interface DockerRunnerOptions {
  outputCapBytes?: number;
  /** After an abort, how long to wait for the killed container's exit before giving up on the daemon. */
  abortWaitMs?: number;
}

/** Splits the engine's multiplexed log stream (8-byte frame headers); a TTY stream is passed through. */
export function demux(buf: Buffer, out: OutputTail, stderr: OutputTail): void {
  let offset = 0;
  const framed = buf.length >= 8 && (buf[0] === 1 || buf[0] === 2 || buf[0] === 0) && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
  if (!framed) {
    out.push(buf);
    return;
  }
  while (offset + 8 <= buf.length) {
    const stream = buf[offset];
    const size = buf.readUInt32BE(offset + 4);
    const chunk = buf.subarray(offset + 8, offset + 8 + size);
    out.push(chunk);
    if (stream === 2) stderr.push(chunk);
    offset += 8 + size;
  }
}

function statusOf(error: unknown): number | null {
  if (error instanceof Error && 'statusCode' in error && typeof error.statusCode === 'number') return error.statusCode;
  return null;
}

function codeOf(error: unknown): string {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
}

/**
 * The engine's own words for a failed call ("No such image: …"), without dockerode's wrapping: it gives a
 * streamed call's body (a pull's) only inside its message, as "(HTTP code 404) unexpected - <words> ".
 */
function engineMessage(error: unknown): string {
  if (error instanceof Error && 'json' in error) {
    const body: unknown = error.json;
    if (body !== null && typeof body === 'object' && 'message' in body && typeof body.message === 'string') return body.message.trim();
  }
  const text = errorMessage(error);
  const wrapped = /^\(HTTP code \d+\) [^-]*? - ([\s\S]*)$/.exec(text);
  return (wrapped?.[1] ?? text.replace(/^\(HTTP code \d+\)\s*/, '')).trim();
}

/**
 * A refused pull, in the words of the runbook's Image Pull Failure: the name may be wrong, or the
 * registry may want a login (registry_auth), which the engine's "repository does not exist" hides.
 */
function pullRefused(cfg: DockerRunnerConfig, words: string): RunError {
  let login = '';
  if (/access denied/i.test(words) && !/login/i.test(words)) {
    login = cfg.registry_auth ? ' (or the account in registry_auth may not reach it)' : ' (or may require docker login: runner_config.registry_auth)';
  }
  return { message: `pulling image ${cfg.image} failed: ${words}${login}`, error_class: 'image_pull', retryable: false };
}

/** "Docker daemon at /var/run/docker.sock not answering (ENOENT)" when the socket is the trouble; else null. */
function daemonUnreachable(error: unknown, socket: string): string | null {
  const code = codeOf(error);
  if (code !== 'ENOENT' && code !== 'ECONNREFUSED' && code !== 'EACCES') return null;
  return `Docker daemon at ${socket} ${code === 'EACCES' ? 'permission denied' : 'not answering'} (${code})`;
}

function engineError(error: unknown, what: string, socket: string): RunError {
  const unreachable = daemonUnreachable(error, socket);
  if (unreachable !== null) {
    return { message: `${unreachable} while ${what}`, error_class: 'docker_unavailable', retryable: codeOf(error) !== 'EACCES' };
  }
  const status = statusOf(error);
  const retryable = status === null || status >= 500;
  return { message: `${what} failed: ${engineMessage(error)}`, error_class: status ? `docker_${status}` : 'docker', retryable };
}

/**
 * A failure before any container was made. The daemon certainly away (docker_unavailable: its socket
 * missing, refusing or not permitted, as the probe judges it) is this machine's alone: nothing ran, and a
 * worker whose daemon answers may run the job.
 */
function notMade(error: RunError, extras: ResultExtras): RunResult {
  const result = failure(error, extras);
  return error.error_class === 'docker_unavailable' ? { ...result, lacksHere: true } : result;
}

/** The registry login's variables that `env` lacks: run() asks for them before it pulls. */
function unsetLogin(cfg: DockerRunnerConfig, env: Env): string[] {
  const ra = cfg.registry_auth;
  return ra ? [ra.username_env_var, ra.password_env_var].filter((name) => env[name] === undefined) : [];
}

/** The variables passed into the container that `env` lacks; empty is set, and passed as it is. */
function unsetPassed(cfg: DockerRunnerConfig, env: Env): string[] {
  return (cfg.env ?? []).filter((name) => env[name] === undefined);
}

/** Every variable a job of this service reads that `env` lacks, by run()'s own checks. */
export function unsetForContainer(cfg: DockerRunnerConfig, env: Env): string[] {
  return [...unsetLogin(cfg, env), ...unsetPassed(cfg, env)];
}

function registryAuth(cfg: DockerRunnerConfig, env: Env): { auth?: { username: string; password: string }; missing?: string } {
  const [missing] = unsetLogin(cfg, env);
  if (missing !== undefined) return { missing };
  const ra = cfg.registry_auth;
  const username = ra ? env[ra.username_env_var] : undefined;
  const password = ra ? env[ra.password_env_var] : undefined;
  return username === undefined || password === undefined ? {} : { auth: { username, password } };
}

function hostConfig(cfg: DockerRunnerConfig, policy: SecurityPolicy): Docker.HostConfig {
  const limits = policy.resource_limits ?? {};
  return {
    Binds: (cfg.volumes ?? []).map((v) => `${v.host_path}:${v.container_path}:${v.mode}`),
    ...(limits.memory_mb !== undefined ? { Memory: limits.memory_mb * 1024 * 1024 } : {}),
    // Docker has no CPU-time quota; the cpu rlimit inside the container is the same limit the shell runner sets.
    ...(limits.cpu_seconds !== undefined ? { Ulimits: [{ Name: 'cpu', Soft: limits.cpu_seconds, Hard: limits.cpu_seconds + 1 }] } : {}),
    AutoRemove: false,
  };
}

/**
 * Runs a container per attempt through the Docker Engine API on the configured socket: image allowlist,
 * pull policy, command + payload args, listed env vars, read-only volumes unless rw, memory and CPU limits.
 * The container is removed afterwards, also on failure; an abort kills it first.
 */
export class DockerRunner implements Runner {
  readonly kind = 'docker';
  readonly #cap: number;
  readonly #abortWaitMs: number;

  constructor(opts: DockerRunnerOptions = {}) {
    this.#cap = opts.outputCapBytes ?? 64 * 1024;
    this.#abortWaitMs = opts.abortWaitMs ?? 10_000;
  }

  async run(request: RunRequest): Promise<RunResult> {
    const { service } = request;
    if (service.execution_type !== 'docker') return wrongKind('docker', service.execution_type);
    const cfg = service.runner_config;
    const policy = service.security_policy;
    const context: JsonObject = { runner: 'docker', image: cfg.image, socket: cfg.socket_path };
    if (!imageAllowed(cfg.image, policy.allowed_images)) {
      return failure(
        { message: `Image '${cfg.image}' is not allowed`, error_class: 'allowlist', retryable: false },
        { security_context: { ...context, allowlist: 'denied' } },
      );
    }
    context.allowlist = 'allowed';
    context.binds = (cfg.volumes ?? []).map((v) => `${v.host_path}:${v.container_path}:${v.mode}`);
    const appended = payloadArgs(service, request.payload);
    if ('problem' in appended) return failure({ message: appended.problem, error_class: 'payload', retryable: false }, { security_context: context });
    const { args } = appended;
    if (args.length > 0) context.payload_args = args;
    const reg = registryAuth(cfg, request.env);
    if (reg.missing) return unsetVariables([reg.missing], { security_context: context });
    const env: string[] = [];
    for (const name of cfg.env ?? []) {
      const value = request.env[name];
      if (value !== undefined) env.push(`${name}=${value}`);
    }
    context.env_passed = (cfg.env ?? []).filter((n) => request.env[n] !== undefined);
    const missing = unsetPassed(cfg, request.env);
    context.env_missing = missing;
    // As in a shell job: a container run without a variable it is given does not do what was meant.
    if (missing.length > 0) return unsetVariables(missing, { security_context: context });

    const started = process.hrtime.bigint();
    const deadline = attemptSignal(request.signal, request.timeoutSeconds);
    const docker = new (await loadDocker())({ socketPath: cfg.socket_path });
    const usage = (extra: ResourceUsage = {}): ResourceUsage => ({ duration_ms: elapsed(started), ...extra });
    let container: Docker.Container | null = null;
    try {
      const ready = await this.#ensureImage(docker, cfg, reg.auth, deadline.signal);
      if (deadline.signal.aborted) return aborted(abortReason(deadline.signal), request.timeoutSeconds, { resource_usage: usage(), security_context: context });
      if (ready) return notMade(ready, { resource_usage: usage(), security_context: context });

      const cmd = [...(cfg.command ?? []), ...args];
      try {
        container = await docker.createContainer({
          name: `opsdeck-${request.jobId}-${request.attempt}-${randomBytes(3).toString('hex')}`,
          Image: cfg.image,
          ...(cmd.length > 0 ? { Cmd: cmd } : {}),
          Env: env,
          ...(cfg.working_dir ? { WorkingDir: cfg.working_dir } : {}),
          Labels: { 'opsdeck.job': request.identifier, 'opsdeck.service': service.name },
          HostConfig: hostConfig(cfg, policy),
        });
        context.container_id = container.id;
        if (deadline.signal.aborted) return aborted(abortReason(deadline.signal), request.timeoutSeconds, { resource_usage: usage(), security_context: context });
        await container.start();
      } catch (error) {
        const extras = { resource_usage: usage(), security_context: context };
        if (container) return failure(engineError(error, 'starting the container', cfg.socket_path), extras);
        return notMade(engineError(error, 'creating the container', cfg.socket_path), extras);
      }
      return await this.#await(container, request, deadline.signal, usage, context);
    } finally {
      deadline.dispose();
      if (container) await within(container.remove({ force: true }), this.#abortWaitMs).catch(() => undefined);
    }
  }

  /** Null when the image is there (pulled if the policy says so); else why not. */
  async #ensureImage(
    docker: Docker,
    cfg: DockerRunnerConfig,
    auth: { username: string; password: string } | undefined,
    signal: AbortSignal,
  ): Promise<RunError | null> {
    if (cfg.pull_policy !== 'always') {
      try {
        await docker.getImage(cfg.image).inspect();
        return null;
      } catch (error) {
        if (statusOf(error) !== 404) return engineError(error, `inspecting image ${cfg.image}`, cfg.socket_path);
        if (cfg.pull_policy === 'never') {
          return { message: `image '${cfg.image}' is not present and pull_policy is never`, error_class: 'config', retryable: false };
        }
      }
    }
    try {
      const stream = await docker.pull(cfg.image, { ...(auth ? { authconfig: auth } : {}), abortSignal: signal });
      const events = await new Promise<unknown[]>((resolve, reject) =>
        docker.modem.followProgress(stream, (err: Error | null, out: unknown[]) => (err ? reject(err) : resolve(out))),
      );
      for (const event of events) {
        if (event !== null && typeof event === 'object' && 'error' in event && typeof event.error === 'string') {
          const words = event.error.trim();
          if (/not found|does not exist|access denied|manifest unknown/i.test(words)) return pullRefused(cfg, words);
          return { message: `pulling image ${cfg.image} failed: ${words}`, error_class: 'image_pull', retryable: true };
        }
      }
      return null;
    } catch (error) {
      if (signal.aborted) return null;
      const status = statusOf(error);
      if (status === 404) return pullRefused(cfg, engineMessage(error));
      return engineError(error, `pulling image ${cfg.image}`, cfg.socket_path);
    }
  }

  async #await(
    container: Docker.Container,
    request: RunRequest,
    signal: AbortSignal,
    usage: (extra?: ResourceUsage) => ResourceUsage,
    context: JsonObject,
  ): Promise<RunResult> {
    let abortedWith: AbortReason | null = null;
    const onAbort = () => {
      abortedWith = abortReason(signal);
      container.kill().catch(() => undefined);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    let exitCode: number | null = null;
    let waitError: RunError | null = null;
    // A daemon that stops answering must not hold the job forever: after an abort, wait only so long.
    let giveUp: NodeJS.Timeout | undefined;
    let settleGiveUp: ((value: 'gave_up') => void) | undefined;
    const gaveUp = new Promise<'gave_up'>((resolve) => {
      settleGiveUp = resolve;
    });
    const arm = () => {
      giveUp = setTimeout(() => settleGiveUp?.('gave_up'), this.#abortWaitMs);
    };
    if (signal.aborted) arm();
    else signal.addEventListener('abort', arm, { once: true });
    try {
      const waited: unknown = await Promise.race([container.wait(), gaveUp]);
      if (waited !== null && typeof waited === 'object' && 'StatusCode' in waited && typeof waited.StatusCode === 'number') {
        exitCode = waited.StatusCode;
      }
    } catch (error) {
      waitError = engineError(error, 'waiting for the container', String(context.socket));
    } finally {
      clearTimeout(giveUp);
      signal.removeEventListener('abort', arm);
      signal.removeEventListener('abort', onAbort);
    }
    const output = new OutputTail(this.#cap);
    const stderr = new OutputTail(4096);
    try {
      const logs: unknown = await within(container.logs({ stdout: true, stderr: true, follow: false, tail: 5000 }), this.#abortWaitMs);
      if (Buffer.isBuffer(logs)) demux(logs, output, stderr);
    } catch {
      // Logs are a courtesy: the exit code decides the outcome.
    }
    const extras = {
      output_tail: output.text(),
      resource_usage: usage({ exit_code: exitCode, bytes_out: output.totalBytes }),
      security_context: context,
    };
    if (abortedWith) return aborted(abortedWith, request.timeoutSeconds, extras);
    if (waitError) return failure(waitError, extras);
    if (exitCode === 0) return success(extras);
    const said = lastLine(stderr.text());
    if (exitCode === 137) {
      const oom = await container
        .inspect()
        .then((info) => info.State.OOMKilled)
        .catch(() => false);
      if (oom) {
        const limit = request.service.security_policy.resource_limits?.memory_mb;
        return failure({ message: `resource limit exceeded: memory, container OOM-killed${limit ? ` (${limit}MB allowed)` : ''}`, error_class: 'resource_limit', retryable: false }, extras);
      }
    }
    return failure({ message: `exited with code ${exitCode ?? 'unknown'}${said ? `: ${said}` : ''}`, error_class: 'exit_code', retryable: true }, extras);
  }

  /**
   * Each daemon asked once; each service whose daemon does not answer is named, as the shell runner's
   * check names each service that cannot start, in the words its jobs fail with. The services on a daemon
   * that answers are not its failure, and the detail says which daemons do.
   */
  async probe(services: ServiceConfig[]): Promise<HealthResult> {
    const socketOf = new Map<string, string>();
    for (const s of services) if (s.execution_type === 'docker') socketOf.set(s.name, s.runner_config.socket_path);
    if (socketOf.size === 0) return { ok: true, detail: 'no services' };
    const sockets = [...new Set(socketOf.values())];
    const down = new Map<string, string>();
    const unreachable = new Set<string>();
    const Docker = await loadDocker();
    await Promise.all(
      sockets.map(async (socketPath) => {
        try {
          await new Docker({ socketPath, timeout: 3000 }).ping();
        } catch (error) {
          const certain = daemonUnreachable(error, socketPath);
          if (certain !== null) unreachable.add(socketPath);
          down.set(socketPath, certain ?? `Docker daemon at ${socketPath} not answering (${codeOf(error) || engineMessage(error)})`);
        }
      }),
    );
    const answering = sockets.filter((socket) => !down.has(socket));
    const answeringText = answering.length > 0 ? `Docker daemon answering at ${answering.join(', ')}` : '';
    const cannotStart: Record<string, string[]> = {};
    for (const [name, socket] of socketOf) {
      const why = down.get(socket);
      if (why !== undefined) cannotStart[name] = [why];
    }
    const failing = Object.keys(cannotStart);
    if (failing.length === 0) return { ok: true, detail: answeringText };
    // One daemon's words once, after every service on it: a fleet's services mostly share one socket.
    const servicesOf = new Map<string, string[]>();
    for (const name of failing) {
      const why = cannotStart[name]?.[0] ?? '';
      servicesOf.set(why, [...(servicesOf.get(why) ?? []), name]);
    }
    const problems = [...servicesOf].map(([why, names]) => `${names.join(', ')}: ${why}`);
    const rest = answeringText ? `; ${answeringText}` : '';
    const certain = [...socketOf].filter(([, socket]) => unreachable.has(socket)).map(([name]) => name);
    return { ok: false, detail: `${failing.length} of ${services.length} service(s) cannot start: ${problems.join('; ')}${rest}`, cannotStart, certain };
  }
}
