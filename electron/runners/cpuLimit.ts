/**
 * The failure message of a program its CPU limit ended; null when the limit did not. The shell runner sets
 * the soft limit at cpu_seconds and the hard one a second above: at the soft limit the kernel sends
 * SIGXCPU, and a program that catches or ignores it is killed with SIGKILL at the hard one. A SIGKILL
 * counts only with the CPU time to show for it, since one comes from anywhere (the host's memory
 * pressure, an operator). The message says "resource limit exceeded", which the runbooks' LIKE
 * '%resource%' finds.
 *
 * The CPU time given is GNU time's (user+system, as the job's resource usage shows it), never another
 * figure. The kernel checks the limit against its own count, charged a clock tick at a time to whatever
 * runs at each tick; on a busy machine that count reaches the limit while the time the program really ran
 * is short of it (seen: SIGXCPU at a 2s limit after 1.75s measured). Said so, the figure beside the limit
 * explains itself instead of contradicting it.
 */
export function cpuLimitEnd(signal: string, cpuMs: number | undefined, cpuSeconds: number | undefined): string | null {
  if (cpuSeconds === undefined) return null;
  const limit = `resource limit exceeded: CPU limit of ${cpuSeconds}s`;
  if (signal === 'SIGXCPU') return `${limit} (killed by SIGXCPU${cpuMs === undefined ? '' : cpuTime(cpuMs)})`;
  if (signal === 'SIGKILL' && cpuMs !== undefined && cpuMs >= cpuSeconds * 1000) {
    const hard = cpuSeconds + 1;
    return `${limit} (killed by SIGKILL at the hard limit of ${hard}s${cpuTime(cpuMs)})`;
  }
  return null;
}

/**
 * " after 1.75s of CPU time measured", and why that may be short of the limit. Said the same way whether
 * or not it is short, so every job its limit ended has one fingerprint and one dead-letter group.
 */
function cpuTime(cpuMs: number): string {
  return ` after ${(cpuMs / 1000).toFixed(2)}s of CPU time measured; the kernel counts the limit in clock ticks of user+system time, which can run ahead of the time measured`;
}
