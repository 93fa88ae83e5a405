import { readFile, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SecurityPolicy, ShellRunnerConfig } from '../../shared/registry.ts';
import type { RunError } from './runner.ts';

export interface ShellDecision {
  /** The resolved program that runs (symlinks resolved: what was checked is what executes). */
  program: string;
  cwd: string;
}

type Decision = { ok: true; value: ShellDecision } | { ok: false; error: RunError };

async function resolved(p: string): Promise<string | null> {
  try {
    return await realpath(p);
  } catch {
    return null;
  }
}

function allowlist(message: string): Decision {
  return { ok: false, error: { message, error_class: 'allowlist', retryable: false } };
}

function config(message: string): Decision {
  return { ok: false, error: { message, error_class: 'config', retryable: false } };
}

function inside(dir: string, root: string): boolean {
  const rel = path.relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Whether `dir` lies inside one of `roots` by their paths as written; decideShell compares their real paths. */
export function insideAny(dir: string, roots: readonly string[]): boolean {
  return roots.some((root) => inside(dir, root));
}

/** The absolute paths of a list: decideShell compares only those, so a relative entry allows nothing. */
function absolute(paths: readonly string[] | undefined): string[] {
  return (paths ?? []).filter((p) => path.isAbsolute(p));
}

/**
 * What decideShell reads of a shell service before any file of the worker's, so `opsdeck services NAME`
 * shows what its jobs meet: the program asked for, the allowed commands and roots it compares (absolute
 * paths only), where its jobs start (null: the worker's temp folder), and what it refuses as written.
 */
export interface ShellAsWritten {
  requested: string;
  allowed: string[];
  roots: string[];
  cwd: string | null;
  /** command[0] is no absolute path: every job is refused as allowlist, whatever allowed_commands lists. */
  commandRefused: string | null;
  /** The working directory is no absolute path: every job fails as config. */
  cwdRefused: string | null;
}

export function shellAsWritten(cfg: ShellRunnerConfig, policy: SecurityPolicy): ShellAsWritten {
  const requested = cfg.command[0] ?? '';
  const roots = absolute(policy.allowed_roots);
  const cwd = cfg.working_directory ?? roots[0] ?? null;
  return {
    requested,
    allowed: absolute(policy.allowed_commands),
    roots,
    cwd,
    commandRefused: path.isAbsolute(requested) ? null : `Command '${requested}' is not allowed: command[0] must be an absolute path`,
    cwdRefused: cwd === null || path.isAbsolute(cwd) ? null : `working_directory must be an absolute path: '${cwd}'`,
  };
}

/** Where a shell service's jobs start: its working_directory, else its first allowed root, else the temp folder. */
export function workingDirectoryOf(cfg: ShellRunnerConfig, policy: SecurityPolicy): string {
  return shellAsWritten(cfg, policy).cwd ?? os.tmpdir();
}

/**
 * Decides whether a shell job may run: its program must be an absolute path whose real file (symlinks
 * resolved) is the real file of an allowed command, and its working directory must really lie inside an
 * allowed root. Comparing real paths means a link named like an allowed command cannot smuggle in
 * another binary, and a link inside a root cannot lead out of it.
 */
export async function decideShell(cfg: ShellRunnerConfig, policy: SecurityPolicy): Promise<Decision> {
  const written = shellAsWritten(cfg, policy);
  const { requested } = written;
  if (written.commandRefused !== null) return allowlist(written.commandRefused);
  const allowed = new Set<string>();
  for (const entry of written.allowed) {
    allowed.add(entry);
    const real = await resolved(entry);
    if (real) allowed.add(real);
  }
  const program = await resolved(requested);
  if (program === null) {
    if (!allowed.has(requested)) return allowlist(`Command '${requested}' is not allowed`);
    return config(`Command '${requested}' not found on this worker`);
  }
  if (!allowed.has(program)) {
    const via = program === requested ? '' : ` (resolves to '${program}')`;
    return allowlist(`Command '${requested}' is not allowed${via}`);
  }

  if (written.cwdRefused !== null) return config(written.cwdRefused);
  const wanted = written.cwd ?? os.tmpdir();
  const cwd = await resolved(wanted);
  if (cwd === null) return config(`Working directory '${wanted}' does not exist`);
  try {
    if (!(await stat(cwd)).isDirectory()) return config(`Working directory '${wanted}' is not a directory`);
  } catch {
    return config(`Working directory '${wanted}' cannot be read`);
  }
  if (written.roots.length > 0) {
    const realRoots = (await Promise.all(written.roots.map(resolved))).filter((r): r is string => r !== null);
    if (!insideAny(cwd, realRoots)) {
      return allowlist(`Working directory '${wanted}' is not allowed: it is outside allowed_roots`);
    }
  }
  return { ok: true, value: { program, cwd } };
}

/** Only what a job needs: a fixed PATH, the locale, HOME, and the variables its service lists. */
export function scrubbedEnv(
  names: readonly string[],
  source: Readonly<Record<string, string | undefined>>,
): { env: Record<string, string>; passed: string[]; missing: string[] } {
  const env: Record<string, string> = { PATH: '/usr/bin:/bin', LANG: source.LANG ?? 'C.UTF-8' };
  if (source.HOME !== undefined) env.HOME = source.HOME;
  const passed: string[] = [];
  for (const name of names) {
    const value = source[name];
    if (value !== undefined) {
      env[name] = value;
      passed.push(name);
    }
  }
  return { env, passed, missing: unsetOf(names, source) };
}

/** The names `source` lacks: empty is set, and passed as it is. */
export function unsetOf(names: readonly string[], source: Readonly<Record<string, string | undefined>>): string[] {
  return names.filter((name) => source[name] === undefined);
}

/**
 * The variables a shell job of this service is given that `env` lacks, as run() finds them: run as an
 * account (`user:`), it is given that account's HOME whatever `env` holds.
 */
export function unsetForShell(cfg: ShellRunnerConfig, env: Readonly<Record<string, string | undefined>>): string[] {
  return unsetOf(cfg.env ?? [], env).filter((name) => !(cfg.user !== undefined && name === 'HOME'));
}

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** An account from /etc/passwd by name or numeric uid; null when there is none. */
export async function findAccount(spec: string, passwdFile = '/etc/passwd'): Promise<Account | null> {
  let text: string;
  try {
    text = await readFile(passwdFile, 'utf8');
  } catch {
    return null;
  }
  return accountIn(text, spec);
}

/** An account of a passwd file's text by name or numeric uid; null when there is none. */
export function accountIn(text: string, spec: string): Account | null {
  for (const line of text.split('\n')) {
    const [name, , uid, gid, , home] = line.split(':');
    if (name === undefined || uid === undefined || gid === undefined) continue;
    if (name === spec || uid === spec) return { name, uid: Number(uid), gid: Number(gid), home: home ?? '/' };
  }
  return null;
}
