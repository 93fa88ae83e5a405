import { accessSync, constants as fsConstants, readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { accountIn } from './shellPolicy.ts';

/**
 * Why a shell service's program cannot start on this machine, in the words of the runbooks' "command not
 * found" and "permission denied", with what fixes it; null when it can. Checked as this process's user:
 * a service that runs as another (runner_config.user) may differ, and its first job says so. Synchronous:
 * a stat and an access check per service, read by the registry's checks as well as the runner's probe.
 */
export function programProblem(program: string): string | null {
  let info: Stats;
  try {
    info = statSync(program);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    if (code === 'ENOENT' || code === 'ENOTDIR') return `command not found: ${program} does not exist here`;
    if (code === 'EACCES') return `permission denied: a folder on the way to ${program} is closed to this user`;
    return `${program} cannot be read (${code || 'error'})`;
  }
  if (info.isDirectory()) return `${program} is a folder, not a program`;
  try {
    accessSync(program, fsConstants.X_OK);
    return null;
  } catch {
    return `permission denied: ${program} is not executable (mode ${(info.mode & 0o777).toString(8)}; chmod +x it)`;
  }
}

/**
 * Why a shell service's jobs cannot start in their working directory on this machine, in the words each
 * job would fail with; null when they can, or when the path is not absolute (the registry's checks say so).
 */
export function workingDirectoryProblem(dir: string): string | null {
  if (!path.isAbsolute(dir)) return null;
  try {
    return statSync(dir).isDirectory() ? null : `Working directory '${dir}' is not a directory`;
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    if (code === 'ENOENT' || code === 'ENOTDIR') return `Working directory '${dir}' does not exist`;
    if (code === 'EACCES') return `Working directory '${dir}' cannot be read: a folder on the way is closed to this user`;
    return `Working directory '${dir}' cannot be read (${code || 'error'})`;
  }
}

/**
 * Why a shell service's jobs cannot run as its runner_config.user on this machine, in the words each job
 * would fail with; null when the account exists (or the accounts cannot be read: the job says then).
 */
export function userProblem(user: string, passwdFile = '/etc/passwd'): string | null {
  let text: string;
  try {
    text = readFileSync(passwdFile, 'utf8');
  } catch {
    return null;
  }
  return accountIn(text, user) === null ? `user '${user}' does not exist` : null;
}
