/**
 * The failure message of a program its CPU limit ended; null when the limit did not. The shell runner sets
 * the soft limit at cpu_seconds and the hard one a second above: at the soft limit the kernel sends
 * SIGXCPU, and a program that catches or ignores it is killed with SIGKILL at the hard one. A SIGKILL
 * counts only with the CPU time to show for it, since one comes from anywhere (the host's memory
 * pressure, an operator). The message says "resource limit exceeded", which the runbooks' LIKE
 * '%resource%' finds.
 */
export function cpuLimitEnd(signal: string, cpuMs: number | undefined, cpuSeconds: number | undefined): string | null {
  if (cpuSeconds === undefined) return null;
  if (signal === 'SIGXCPU') return `resource limit exceeded: CPU limit of ${cpuSeconds}s (killed by SIGXCPU)`;
  if (signal === 'SIGKILL' && cpuMs !== undefined && cpuMs >= cpuSeconds * 1000) {
    return `resource limit exceeded: CPU limit of ${cpuSeconds}s (killed by SIGKILL at the hard limit after ${(cpuMs / 1000).toFixed(1)}s of CPU)`;
  }
  return null;
}
