import { spawn, spawnSync } from 'node:child_process';
import { constants as fsConstants, existsSync } from 'node:fs';
import { access, chown, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { constants as osConstants } from 'node:os';
import type { JsonObject, ResourceUsage } from '../../shared/domain.ts';
import type { ServiceConfig } from '../../shared/registry.ts';
import { memoryExhaustion } from './memoryExhaustion.ts';
import { cpuLimitEnd } from './cpuLimit.ts';
import { lastLine, OutputTail } from './outputTail.ts';
import { payloadArgs } from './payloadArgs.ts';
import { programProblem, workingDirectoryProblem } from './programCheck.ts';
import { newRunDir } from './runDirs.ts';
import { killOnExit, signalGroup, signalGroupBelowLeader, waitGroupGone } from './processTree.ts';
import { aborted, abortReason, attemptSignal, configError, elapsed, failure, success, unsetVariables, wrongKind } from './result.ts';
import type { AbortReason, HealthResult, Runner, RunRequest, RunResult } from './runner.ts';
import { decideShell, findAccount, scrubbedEnv, workingDirectoryOf, type Account } from './shellPolicy.ts';

export interface ShellRunnerOptions {
  /** How long a process group has between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Bytes of output kept (the tail) unless the service sets output_limit_bytes. */
  outputCapBytes?: number;
  /** util-linux prlimit, for memory and CPU limits; null when absent. */
  prlimitPath?: string | null;
  /** GNU time, for peak memory and CPU time of the whole tree; null when absent. */
  timePath?: string | null;
  /**
   * util-linux setpriv, which gives the program a parent-death signal: it dies with the worker even when
   * the worker is killed outright; null when absent.
   */
  setprivPath?: string | null;
}

const DEFAULT_CAP = 64 * 1024;

function existing(p: string): string | null {
  return existsSync(p) ? p : null;
}

let gnuTime: string | null | undefined;

/** GNU time only: BSD time (macOS) has neither -f nor -o. Asked once per process. */
function findGnuTime(): string | null {
  if (gnuTime !== undefined) return gnuTime;
  const candidate = existing('/usr/bin/time');
  if (candidate === null) return (gnuTime = null);
  const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 2000 });
  gnuTime = `${probe.stdout ?? ''}${probe.stderr ?? ''}`.includes('GNU') ? candidate : null;
  return gnuTime;
}

function signalName(n: number): string {
  const entry = Object.entries(osConstants.signals).find(([, v]) => v === n);
  return entry ? entry[0] : `signal ${n}`;
}

interface Measured {
  peak_memory_kb?: number;
  cpu_ms?: number;
  /** The program's own end as GNU time saw it (time itself exits 128+n when its child is signalled). */
  signal?: string;
}

/** Parses GNU time's `-f '%M %U %S'` output, preceded by "Command terminated by signal N" when so. */
function parseTime(text: string): Measured {
  const out: Measured = {};
  const sig = /terminated by signal (\d+)/.exec(text);
  if (sig?.[1]) out.signal = signalName(Number(sig[1]));
  const lines = text.trim().split('\n');
  const m = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(lines[lines.length - 1]?.trim() ?? '');
  if (m?.[1] && m[2] && m[3]) {
    out.peak_memory_kb = Number(m[1]);
    out.cpu_ms = Math.round((Number(m[2]) + Number(m[3])) * 1000);
  }
  return out;
}


/**
 * Runs a program by argv (never through a shell) in its own process group, with a scrubbed environment,
 * the payload as JSON on stdin, output kept up to a cap (the tail), and resource limits where util-linux
 * gives them. Interrupts, cancels and timeouts signal the whole group: SIGTERM, then SIGKILL after the
 * grace; and when the program ends, whatever it left running in its group is killed too, so no job leaves
 * processes behind. (A process that starts its own session escapes any group; that is beyond us.)
 *
 * Peak memory and CPU time come from GNU time wrapped around the program, when installed: they cover the
 * program and the descendants it waited for. SIGTERM spares time, so it reaps the program and reports;
 * a run that needs SIGKILL reports neither, since time dies too.
 */
export class ShellRunner implements Runner {
  readonly kind = 'shell';
  readonly #grace: number;
  readonly #cap: number;
  readonly #prlimit: string | null;
  readonly #time: string | null;
  readonly #setpriv: string | null;

  constructor(opts: ShellRunnerOptions = {}) {
    this.#grace = opts.killGraceMs ?? 2000;
    this.#cap = opts.outputCapBytes ?? DEFAULT_CAP;
    this.#prlimit = opts.prlimitPath === undefined ? existing('/usr/bin/prlimit') : opts.prlimitPath;
    this.#time = opts.timePath === undefined ? findGnuTime() : opts.timePath;
    this.#setpriv = opts.setprivPath === undefined ? existing('/usr/bin/setpriv') : opts.setprivPath;
  }

  async run(request: RunRequest): Promise<RunResult> {
    const { service } = request;
    if (service.execution_type !== 'shell') return wrongKind('shell', service.execution_type);
    const cfg = service.runner_config;
    const policy = service.security_policy;
    const requested = cfg.command[0] ?? '';
    const baseContext: JsonObject = { runner: 'shell', requested_command: requested, user: os.userInfo().username };

    const decision = await decideShell(cfg, policy);
    if (!decision.ok) {
      const context = { ...baseContext, allowlist: decision.error.error_class === 'allowlist' ? 'denied' : 'allowed' };
      return failure(decision.error, { security_context: context });
    }
    const appended = payloadArgs(service, request.payload);
    if ('problem' in appended) {
      return failure({ message: appended.problem, error_class: 'payload', retryable: false }, { security_context: { ...baseContext, allowlist: 'allowed' } });
    }
    const { args } = appended;
    const { program, cwd } = decision.value;
    const account = await this.#account(cfg.user);
    if (account && 'error' in account) return configError(account.error, { security_context: { ...baseContext, allowlist: 'allowed' } });
    // Asked here, as this process's user: started through setpriv or GNU time, a program that cannot be
    // run would be their exit code 126, which reads as a failure worth retrying.
    if (!account && !(await runnable(program))) {
      // In validate-config's words, with what fixes it (chmod +x).
      const why = programProblem(program) ?? 'permission denied';
      return failure({ message: `cannot start '${program}': ${why}`, error_class: 'config', retryable: false }, { security_context: { ...baseContext, allowlist: 'allowed' } });
    }
    const scrubbed = scrubbedEnv(cfg.env ?? [], account ? { ...request.env, HOME: account.home } : request.env);
    const limits = policy.resource_limits ?? {};
    const wantsLimits = limits.memory_mb !== undefined || limits.cpu_seconds !== undefined;
    const limitArgs: string[] = [];
    if (wantsLimits && this.#prlimit) {
      limitArgs.push(this.#prlimit);
      if (limits.memory_mb !== undefined) limitArgs.push(`--as=${limits.memory_mb * 1024 * 1024}`);
      // Soft below hard: the program gets SIGXCPU (which says why) before the kernel's SIGKILL.
      if (limits.cpu_seconds !== undefined) limitArgs.push(`--cpu=${limits.cpu_seconds}:${limits.cpu_seconds + 1}`);
      limitArgs.push('--');
    }
    const context: JsonObject = {
      ...baseContext,
      allowlist: 'allowed',
      ...(account ? { user: account.name, uid: account.uid } : {}),
      command: program,
      ...(args.length > 0 ? { payload_args: args } : {}),
      cwd,
      env_passed: scrubbed.passed,
      env_missing: scrubbed.missing,
      resource_limits: wantsLimits ? { ...limits } : null,
      limits_applied: wantsLimits ? this.#prlimit !== null : null,
      ...(wantsLimits && !this.#prlimit ? { limits_note: 'prlimit (util-linux) not found: limits not applied' } : {}),
    };

    // Run without a variable it is given, a program does not do what was meant (a report sent with an
    // empty token) and may still exit 0: the job fails as configuration, as an HTTP job missing its token does.
    if (scrubbed.missing.length > 0) return unsetVariables(scrubbed.missing, { security_context: context });

    const tmp = this.#time ? await newRunDir() : null;
    // GNU time writes its report as the job's user.
    if (tmp && account) await chown(tmp, account.uid, account.gid);
    const timeFile = tmp ? path.join(tmp, 'time.txt') : null;
    // The group's leader dies with the worker, and so does the program when GNU time leads: the signal
    // is asked for by the parent of each. The program's own children are beyond its reach.
    const diesWithParent = this.#setpriv ? [this.#setpriv, '--pdeathsig', 'KILL', '--'] : [];
    const argv = [
      ...diesWithParent,
      ...(this.#time && timeFile ? [this.#time, '-f', '%M %U %S', '-o', timeFile, ...diesWithParent] : []),
      ...limitArgs,
      program,
      ...cfg.command.slice(1),
      ...args,
    ];
    try {
      const applied = { requested, ...(this.#prlimit ? { cpuSeconds: limits.cpu_seconds, memoryMb: limits.memory_mb } : {}) };
      return await this.#spawn(request, argv, { cwd, env: scrubbed.env, account }, context, timeFile, applied);
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  }

  async #spawn(
    request: RunRequest,
    argv: string[],
    where: { cwd: string; env: Record<string, string>; account: Account | null },
    context: JsonObject,
    timeFile: string | null,
    /** The limits prlimit applied, and the program the service asked for. */
    limits: { requested: string; cpuSeconds?: number | undefined; memoryMb?: number | undefined },
  ): Promise<RunResult> {
    const [file, ...rest] = argv;
    if (file === undefined) return failure({ message: 'empty command', error_class: 'config', retryable: false });
    const started = process.hrtime.bigint();
    const cap = request.service.execution_type === 'shell' ? (request.service.runner_config.output_limit_bytes ?? this.#cap) : this.#cap;
    const output = new OutputTail(cap);
    const stderr = new OutputTail(4096);
    const deadline = attemptSignal(request.signal, request.timeoutSeconds);

    const { cwd, env, account } = where;
    const child = spawn(file, rest, {
      cwd,
      env,
      detached: true,
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(account ? { uid: account.uid, gid: account.gid } : {}),
    });
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      output.push(chunk);
      stderr.push(chunk);
    });
    // A program that never reads stdin closes it early: that is not the job's failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(request.payload ?? null));

    const pid = child.pid;
    const forgetGroup = pid === undefined ? () => false : killOnExit(pid);
    let abortedWith: AbortReason | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    const wrapped = timeFile !== null;
    const onAbort = () => {
      abortedWith = abortReason(deadline.signal);
      if (pid === undefined) return;
      if (wrapped) void signalGroupBelowLeader(pid, 'SIGTERM');
      else signalGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), this.#grace);
    };
    if (deadline.signal.aborted) onAbort();
    else deadline.signal.addEventListener('abort', onAbort, { once: true });

    try {
      const first = await Promise.race([exited, spawnError]);
      if (first instanceof Error) {
        const code = 'code' in first ? String(first.code) : '';
        const why = code === 'EACCES' ? 'permission denied' : code === 'ENOENT' ? 'not found' : first.message;
        return failure(
          { message: `cannot start '${file}': ${why}`, error_class: 'config', retryable: false },
          { security_context: context, resource_usage: { duration_ms: elapsed(started) } },
        );
      }
      // The program is done; anything it left in its group goes with it (and frees the output pipes).
      if (pid !== undefined) {
        // After an abort the rest of the group gets its grace too; after a normal end it gets none.
        if (abortedWith) await waitGroupGone(pid, this.#grace);
        signalGroup(pid, 'SIGKILL');
        await waitGroupGone(pid, 2000);
      }
      await closed;
      const measured = timeFile ? parseTime(await readFile(timeFile, 'utf8').catch(() => '')) : {};
      const timeSignalled = measured.signal !== undefined;
      const ranMs = elapsed(started);
      const usage: ResourceUsage = {
        duration_ms: ranMs,
        exit_code: timeSignalled ? null : first.code,
        signal: measured.signal ?? first.signal,
        bytes_out: output.totalBytes,
        output_truncated: output.truncated,
        ...(measured.peak_memory_kb !== undefined ? { peak_memory_kb: measured.peak_memory_kb } : {}),
        ...(measured.cpu_ms !== undefined ? { cpu_ms: measured.cpu_ms } : {}),
      };
      const extras = { output_tail: output.text(), resource_usage: usage, security_context: context };
      const signal = usage.signal;
      // Past its address-space limit a program is refused memory rather than killed: it says so and exits,
      // or, a runtime that cannot reserve what it needs, crashes as it starts (V8's SIGTRAP, a SIGSEGV) or
      // hangs there until its timeout. A cancel or a shutdown is never the limit's doing.
      const exhausted = abortedWith !== null && abortedWith !== 'timeout' ? null : memoryExhaustion({
        memoryMb: limits.memoryMb,
        program: limits.requested,
        code: usage.exit_code ?? null,
        signal: signal ?? null,
        stderr: stderr.text(),
        ranMs,
        timedOut: abortedWith === 'timeout',
        bytesOut: output.totalBytes,
        cpuMs: usage.cpu_ms,
      });
      if (exhausted !== null) {
        return failure({ message: exhausted, error_class: 'resource_limit', retryable: false }, extras);
      }
      if (abortedWith) return aborted(abortedWith, request.timeoutSeconds, extras);
      if (typeof signal === 'string') {
        const cpuLimit = cpuLimitEnd(signal, usage.cpu_ms, limits.cpuSeconds);
        if (cpuLimit !== null) return failure({ message: cpuLimit, error_class: 'resource_limit', retryable: false }, extras);
        return failure({ message: `killed by ${signal}${tail(stderr)}`, error_class: 'signal', retryable: true }, extras);
      }
      if (first.code !== 0) {
        return failure({ message: `exited with code ${first.code ?? 'unknown'}${tail(stderr)}`, error_class: 'exit_code', retryable: true }, extras);
      }
      return success(extras);
    } finally {
      forgetGroup();
      clearTimeout(killTimer);
      deadline.signal.removeEventListener('abort', onAbort);
      deadline.dispose();
    }
  }

  /** The account a service asks to run as; switching accounts needs a worker running as root. */
  async #account(user: string | undefined): Promise<Account | { error: string } | null> {
    if (user === undefined) return null;
    const account = await findAccount(user);
    if (!account) return { error: `user '${user}' does not exist on this worker` };
    const self = process.getuid?.();
    if (self !== undefined && self !== 0 && self !== account.uid) {
      return { error: `cannot run as user '${user}': the worker runs as '${os.userInfo().username}' and switching users needs root` };
    }
    return account;
  }

  async probe(services: ServiceConfig[]): Promise<HealthResult> {
    const problems: string[] = [];
    const cannotStart: Record<string, string[]> = {};
    for (const s of services) {
      if (s.execution_type !== 'shell') continue;
      const found = [programProblem(s.runner_config.command[0] ?? ''), workingDirectoryProblem(workingDirectoryOf(s.runner_config, s.security_policy))];
      const why = found.filter((p): p is string => p !== null);
      for (const problem of why) problems.push(`${s.name}: ${problem}`);
      if (why.length > 0) cannotStart[s.name] = why;
    }
    // Every service that cannot start, not the first: one health check fixes them all.
    if (problems.length > 0) return { ok: false, detail: `${Object.keys(cannotStart).length} of ${services.length} service(s) cannot start: ${problems.join('; ')}`, cannotStart };
    const limits = this.#prlimit ? 'resource limits via prlimit' : 'no prlimit: resource limits not applied';
    return { ok: true, detail: `${services.length} service(s); ${limits}` };
  }
}

async function runnable(program: string): Promise<boolean> {
  try {
    await access(program, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function tail(stderr: OutputTail): string {
  const line = lastLine(stderr.text());
  return line ? `: ${line}` : '';
}
