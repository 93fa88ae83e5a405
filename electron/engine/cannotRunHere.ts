/**
 * Why a job goes back unrun, attempt not spent, for a worker that can run it: this worker leaves its service
 * out of its claims (a variable unset here, a Docker daemon away), or its run met that first (`met`: what
 * the runner found, a daemon's socket missing).
 */
export function cannotRunHere(service: string, met?: string): string {
  return `service ${service} cannot run on this worker: ${met === undefined ? '' : `${met}; `}handed back for a worker that can`;
}
