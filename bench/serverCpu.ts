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

/** utime + stime, and cutime + cstime (children that exited and were waited for), in clock ticks. */
function ticksOf(fields: string[]): { own: number; children: number } {
  // proc(5): state is field 3, ppid 4, utime 14, stime 15, cutime 16, cstime 17; fields[] starts at state.
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = [11, 12, 13, 14].map((i) => Number(fields[i] ?? 0));
  return { own: utime + stime, children: cutime + cstime };
}

/** The `postgres` processes now, by pid. */
function postgresProcesses(): Map<string, string[]> | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const found = new Map<string, string[]>();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat?.comm === 'postgres') found.set(pid, stat.fields);
  }
  return found;
}

/** Ticks the postmasters (postgres processes whose parent is not one) collected from children that exited. */
function collected(postmasters: string[]): number {
  return postmasters.reduce((sum, pid) => sum + ticksOf(readStat(pid)?.fields ?? []).children, 0);
}

/**
 * One consistent reading: a backend that exits while the processes are read is either still listed or
 * already in its postmaster's children's time, never neither nor both. A reading during which a
 * postmaster collected a child is taken again.
 */
function postgresCpuMs(): number | null {
  const first = postgresProcesses();
  if (first === null || first.size === 0) return null;
  const postmasters = [...first].filter(([, fields]) => !first.has(fields[1] ?? '')).map(([pid]) => pid);
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = collected(postmasters);
    const processes = postgresProcesses();
    if (processes === null) return null;
    const own = [...processes.values()].reduce((sum, fields) => sum + ticksOf(fields).own, 0);
    if (collected(postmasters) === before) return (own + before) * TICK_MS;
  }
  return null;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '']);

/** A clock for the server at `location` when it runs on this machine, else one that reads null. */
export function serverCpuClock(location: string): ServerCpuClock {
  if (!location.startsWith('postgres')) return () => null;
  const host = new URL(location).hostname;
  return LOCAL_HOSTS.has(host) ? postgresCpuMs : () => null;
}
