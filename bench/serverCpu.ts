import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time spent by a PostgreSQL server on this machine, read from /proc: every `postgres` process alive,
 * plus what the postmaster has collected from children that exited (a backend that closes during the run
 * still counts). On PostgreSQL most of a job's cost is in the server, which the Node process's own CPU
 * time does not show. Null where it cannot be read: another machine's server, or no /proc.
 */
export type ServerCpuClock = () => number | null;

const TICK_MS = 10;

/** The fields after the command name of /proc/PID/stat, and that name. */
function readStat(pid: string): { comm: string; fields: string[] } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  return { comm: text.slice(open + 1, close), fields: text.slice(close + 2).split(' ') };
}

function postgresCpuMs(): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  let ticks = 0;
  let seen = false;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat?.comm !== 'postgres') continue;
    seen = true;
    // proc(5): state is field 3, ppid 4, utime 14, stime 15, cutime 16, cstime 17; fields[] starts at state.
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(stat.fields[i] ?? 0));
    ticks += (utime ?? 0) + (stime ?? 0);
    const parent = readStat(stat.fields[1] ?? '');
    if (parent?.comm !== 'postgres') ticks += (cutime ?? 0) + (cstime ?? 0);
  }
  return seen ? ticks * TICK_MS : null;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '']);

/** A clock for the server at `location` when it runs on this machine, else one that reads null. */
export function serverCpuClock(location: string): ServerCpuClock {
  if (!location.startsWith('postgres')) return () => null;
  const host = new URL(location).hostname;
  return LOCAL_HOSTS.has(host) ? postgresCpuMs : () => null;
}
