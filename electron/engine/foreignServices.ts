import type { Registry } from '../../shared/registry.ts';
import type { Logger } from '../log/logger.ts';

/** What the attempt of a job handed back for want of its service says, for whoever reads it later. */
const NOT_IN_REGISTRY = "is not in this worker's registry";

/**
 * Services this worker's registry lacks, met in its claims. Another worker's registry may have them (a
 * rolling deploy, a worker started with the wrong file or none): their jobs go back unrun, attempt not
 * spent, and this worker's claims leave them out from then on. Forgotten when the registry changes, since
 * the new one may have them.
 */
export class ForeignServices {
  #registry: Registry | null = null;
  #names = new Set<string>();

  /** Leaves the service out of claims from now on (said once in the log); the reason its job goes back. */
  leaveOut(service: string, registry: Registry, log: Logger): string {
    this.#follow(registry);
    if (!this.#names.has(service)) {
      this.#names.add(service);
      log.warn("jobs of a service this worker's registry lacks are left to workers that have it", { service });
    }
    return `service ${service} ${NOT_IN_REGISTRY}: handed back for a worker that has it`;
  }

  /** The services claims under this registry leave out. */
  names(registry: Registry): string[] {
    this.#follow(registry);
    return [...this.#names];
  }

  #follow(registry: Registry): void {
    if (registry === this.#registry) return;
    this.#registry = registry;
    this.#names.clear();
  }
}
