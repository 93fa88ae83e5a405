import path from 'node:path';
import { effectiveRetry, type ServiceConfig } from '../../shared/registry.ts';
import { imageAllowed } from '../runners/imageAllowlist.ts';
import { hostCheck, type HostEnv } from './hostEnv.ts';
import type { PathKey } from './locate.ts';
import { memoryLimitChecks } from './memoryLimitChecks.ts';
import { notSetHere } from '../runners/notSetHere.ts';
import { programProblem, userProblem, workingDirectoryProblem } from '../runners/programCheck.ts';
import { isSecretKey } from './secrets.ts';

/** A problem still addressed by its path; load.ts finds its line. */
export interface RawProblem {
  path: PathKey[];
  message: string;
  severity: 'error' | 'warning';
  /** Point at the key rather than its value (unknown keys). */
  atKey?: boolean;
}

function error(p: PathKey[], message: string): RawProblem {
  return { path: p, message, severity: 'error' };
}

/**
 * A variable a job will read is not set here. A warning, not a refusal: an operator's laptop observing
 * production need not hold production's secrets, and the job itself fails with a config error naming it.
 * The words say whose environment it is: a console's missing variable is no sign the workers lack it.
 */
function envVar(p: PathKey[], name: string | undefined, env: HostEnv): RawProblem[] {
  if (name === undefined) return [];
  return hostCheck(env, p, `variable ${name}`, (vars) => (vars[name] === undefined ? notSetHere(name) : null));
}

/** A program or folder missing here is a warning: the registry may be checked on a laptop while it lives on the workers. */
function onThisMachine(problem: string | null, note = ''): string | null {
  return problem === null ? null : `${problem}${note} (on this machine; the workers' may differ)`;
}

function absolutePaths(p: PathKey[], values: readonly string[] | undefined, what: string): RawProblem[] {
  return (values ?? []).flatMap((value, i) =>
    path.isAbsolute(value) ? [] : [error([...p, i], `${what} must be an absolute path: '${value}'`)],
  );
}

function inside(dir: string, root: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(dir));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The folder a shell service's jobs start in is missing here: its working_directory, or without one its
 * first allowed root. A warning, as a missing program is: the folder may be on the workers and not here.
 */
function startingFolderChecks(s: Extract<ServiceConfig, { execution_type: 'shell' }>, at: PathKey[], env: HostEnv): RawProblem[] {
  const wd = s.runner_config.working_directory;
  const roots = s.security_policy.allowed_roots ?? [];
  const first = roots.findIndex((r) => path.isAbsolute(r));
  const chosen = wd !== undefined
    ? { path: [...at, 'runner_config', 'working_directory'], dir: wd, what: 'working directory', note: '' }
    : { path: [...at, 'security_policy', 'allowed_roots', first], dir: roots[first], what: 'folder', note: ': without a working_directory, jobs start in the first allowed root' };
  const dir = chosen.dir;
  // A relative working_directory is an error of its own (below), never looked for on any host.
  if (dir === undefined || !path.isAbsolute(dir)) return [];
  return hostCheck(env, chosen.path, `${chosen.what} ${dir}`, () => onThisMachine(workingDirectoryProblem(dir), chosen.note));
}

function shellChecks(s: Extract<ServiceConfig, { execution_type: 'shell' }>, at: PathKey[], env: HostEnv): RawProblem[] {
  const out: RawProblem[] = [];
  const policy = s.security_policy;
  const rc = [...at, 'runner_config'];
  out.push(...absolutePaths([...at, 'security_policy', 'allowed_commands'], policy.allowed_commands, 'allowed_commands entry'));
  out.push(...absolutePaths([...at, 'security_policy', 'allowed_roots'], policy.allowed_roots, 'allowed_roots entry'));
  const program = s.runner_config.command[0] ?? '';
  if (path.isAbsolute(program)) out.push(...hostCheck(env, [...rc, 'command', 0], `program ${program}`, () => onThisMachine(programProblem(program))));
  if (!path.isAbsolute(program)) {
    out.push(error([...rc, 'command', 0], `command[0] must be an absolute path: '${program}'`));
  } else if (!(policy.allowed_commands ?? []).includes(program)) {
    // Not a refusal: the service stays loadable and each job fails with the allowlist error (symlinks are
    // resolved only at run time, so a link to an allowed binary may still pass there).
    out.push({
      path: [...rc, 'command', 0],
      message: `Command '${program}' is not allowed by security_policy.allowed_commands: its jobs will fail`,
      severity: 'warning',
    });
  }
  out.push(...startingFolderChecks(s, at, env));
  const user = s.runner_config.user;
  if (user !== undefined) out.push(...hostCheck(env, [...rc, 'user'], `user ${user}`, () => onThisMachine(userProblem(user))));
  const wd = s.runner_config.working_directory;
  if (wd !== undefined) {
    if (!path.isAbsolute(wd)) {
      out.push(error([...rc, 'working_directory'], `working_directory must be an absolute path: '${wd}'`));
    } else if (policy.allowed_roots?.length && !policy.allowed_roots.some((root) => inside(wd, root))) {
      out.push({
        path: [...rc, 'working_directory'],
        message: `working_directory '${wd}' is outside security_policy.allowed_roots: its jobs will fail`,
        severity: 'warning',
      });
    }
  }
  (s.runner_config.env ?? []).forEach((name, i) => out.push(...envVar([...rc, 'env', i], name, env)));
  out.push(...memoryLimitChecks(s, at));
  return out;
}

function httpChecks(s: Extract<ServiceConfig, { execution_type: 'http' }>, at: PathKey[], env: HostEnv): RawProblem[] {
  const out: RawProblem[] = [];
  const rc = [...at, 'runner_config'];
  for (const header of Object.keys(s.runner_config.headers ?? {})) {
    if (isSecretKey(header)) {
      out.push({
        path: [...rc, 'headers', header],
        message: `header '${header}' holds a secret in the registry: name it by environment variable with auth_type and auth_config instead`,
        severity: 'warning',
      });
    }
  }
  const auth = s.runner_config.auth_config;
  const authAt = [...rc, 'auth_config'];
  if (s.runner_config.auth_type === 'bearer') {
    if (!auth?.token_env_var) out.push(error(authAt, "bearer auth requires 'token_env_var' in auth_config"));
    out.push(...envVar([...authAt, 'token_env_var'], auth?.token_env_var, env));
  }
  if (s.runner_config.auth_type === 'basic') {
    if (!auth?.username_env_var || !auth.password_env_var) {
      out.push(error(authAt, "basic auth requires 'username_env_var' and 'password_env_var' in auth_config"));
    }
    out.push(...envVar([...authAt, 'username_env_var'], auth?.username_env_var, env));
    out.push(...envVar([...authAt, 'password_env_var'], auth?.password_env_var, env));
  }
  return out;
}

function dockerChecks(s: Extract<ServiceConfig, { execution_type: 'docker' }>, at: PathKey[], env: HostEnv): RawProblem[] {
  const out: RawProblem[] = [];
  const rc = [...at, 'runner_config'];
  if (!imageAllowed(s.runner_config.image, s.security_policy.allowed_images)) {
    out.push({
      path: [...rc, 'image'],
      message: `Image '${s.runner_config.image}' is not allowed by security_policy.allowed_images: its jobs will fail`,
      severity: 'warning',
    });
  }
  (s.runner_config.volumes ?? []).forEach((v, i) => {
    if (!path.isAbsolute(v.host_path)) {
      out.push(error([...rc, 'volumes', i, 'host_path'], `host_path must be an absolute path: '${v.host_path}'`));
    }
    if (!path.posix.isAbsolute(v.container_path)) {
      out.push(error([...rc, 'volumes', i, 'container_path'], `container_path must be an absolute path: '${v.container_path}'`));
    }
  });
  (s.runner_config.env ?? []).forEach((name, i) => out.push(...envVar([...rc, 'env', i], name, env)));
  const reg = s.runner_config.registry_auth;
  if (reg) {
    out.push(...envVar([...rc, 'registry_auth', 'username_env_var'], reg.username_env_var, env));
    out.push(...envVar([...rc, 'registry_auth', 'password_env_var'], reg.password_env_var, env));
  }
  return out;
}

function serverlessChecks(
  s: Extract<ServiceConfig, { execution_type: 'serverless' }>,
  at: PathKey[],
  env: HostEnv,
): RawProblem[] {
  const out: RawProblem[] = [];
  const rc = [...at, 'runner_config'];
  const c = s.runner_config;
  if (c.provider === 'aws_lambda' && !c.function_name) {
    out.push(error(rc, "aws_lambda provider requires 'function_name' in config"));
  }
  if (c.provider === 'http_function' && !c.url) {
    out.push(error(rc, "http_function provider requires 'url' in config"));
  }
  if ((c.access_key_env_var === undefined) !== (c.secret_key_env_var === undefined)) {
    out.push(error(rc, "'access_key_env_var' and 'secret_key_env_var' go together: set both or neither"));
  }
  out.push(...envVar([...rc, 'access_key_env_var'], c.access_key_env_var, env));
  out.push(...envVar([...rc, 'secret_key_env_var'], c.secret_key_env_var, env));
  return out;
}

/**
 * A first backoff longer than the longest is allowed (the longest wins), but says the strategy is not what
 * its writer meant: every retry waits up to max_backoff (the delay is jittered), and backoff_factor does
 * nothing. Pointed at the key that was written, initial_backoff or else max_backoff.
 */
function retryChecks(service: ServiceConfig, at: PathKey[]): RawProblem[] {
  const retry = effectiveRetry(service);
  if (retry.initial_backoff <= retry.max_backoff) return [];
  const key = service.retry_config?.initial_backoff !== undefined || service.runner_config.retry_config?.initial_backoff !== undefined ? 'initial_backoff' : 'max_backoff';
  // The key in force: runner_config's wins.
  const where = service.runner_config.retry_config?.[key] !== undefined ? [...at, 'runner_config', 'retry_config'] : [...at, 'retry_config'];
  return [
    {
      path: [...where, key],
      message: `initial_backoff ${retry.initial_backoff}s is longer than max_backoff ${retry.max_backoff}s: every retry waits up to ${retry.max_backoff}s, and backoff_factor has no effect`,
      severity: 'warning',
    },
  ];
}

function runnerChecks(service: ServiceConfig, at: PathKey[], env: HostEnv): RawProblem[] {
  switch (service.execution_type) {
    case 'shell':
      return shellChecks(service, at, env);
    case 'http':
      return httpChecks(service, at, env);
    case 'docker':
      return dockerChecks(service, at, env);
    case 'serverless':
      return serverlessChecks(service, at, env);
    case 'noop':
      return [];
  }
}

/** Checks a schema cannot express, on services that passed the schema. */
export function serviceChecks(service: ServiceConfig, index: number, env: HostEnv): RawProblem[] {
  const at: PathKey[] = ['services', index];
  return [...runnerChecks(service, at, env), ...retryChecks(service, at)];
}

/** Names must be unique: jobs, breakers and the DLQ are keyed by them. */
export function duplicateNames(names: ReadonlyArray<{ index: number; name: string }>): RawProblem[] {
  const first = new Map<string, number>();
  const out: RawProblem[] = [];
  for (const { index, name } of names) {
    const seen = first.get(name);
    if (seen === undefined) first.set(name, index);
    else out.push(error(['services', index, 'name'], `duplicate service name '${name}' (first defined at services[${seen}])`));
  }
  return out;
}
