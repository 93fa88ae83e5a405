import type { ExecutionType, ServiceLack, WorkerCannotRun } from '../../shared/domain.ts';
import type { Registry, ServiceConfig } from '../../shared/registry.ts';
import { lackText } from '../../shared/cannotRunText.ts';
import type { Logger } from '../log/logger.ts';
import { errorMessage } from '../runners/result.ts';
import type { Runner } from '../runners/runner.ts';
import type { RegistrySource } from './dispatcherOptions.ts';
import { declinedForUnset, serviceLacks, type Look } from './unrunnable.ts';

/**
 * How often a worker looks again at what it lacks: a Docker daemon restarted, a socket's permissions fixed.
 * Each look pings each Docker socket the registry names once (3 s at most), so not on every heartbeat.
 */
export const CANNOT_RUN_CHECK_MS = 30_000;

export interface CannotRunOptions {
  registry: RegistrySource;
  runners: ReadonlyMap<ExecutionType, Runner>;
  env: Readonly<Record<string, string | undefined>>;
  /** Where what it lacks is said: not quieted, since a reload within the minute must say it again. */
  log: Logger;
  everyMs?: number;
}

interface Checked {
  registry: Registry;
  at: number;
  lacks: ServiceLack[];
}

/**
 * What this worker cannot run, looked at when it starts, after each reload and then every half minute: the
 * record its next heartbeat writes on its row for the fleet's views, and the Docker daemons its claims
 * leave alone. A worker says each service it lacks something for at start and after a reload; between,
 * only what changed. What its claims leave out is worked out at each claim (declined), never waiting on a
 * look: a variable unset from the environment at once, for whichever registry the claim uses; a Docker
 * daemon by its socket, as the last look found it, so a reload keeps it.
 */
export class CannotRunCheck {
  readonly #opts: CannotRunOptions;
  readonly #everyMs: number;
  #last: Checked | null = null;
  #unwritten: WorkerCannotRun | null = null;
  #running: Promise<boolean> | null = null;
  /** The sockets the last look found no daemon certainly behind (Look.unreachable). */
  #unreachable = new Set<string>();
  /** Per registry loaded, its services a variable unset here fails every job of: the environment is read once, at start. */
  readonly #unset = new WeakMap<Registry, ReadonlySet<string>>();

  constructor(opts: CannotRunOptions) {
    this.#opts = opts;
    this.#everyMs = Math.max(10, opts.everyMs ?? CANNOT_RUN_CHECK_MS);
  }

  /** Whether a look is due: none yet, the registry changed, or the last is older than the interval. */
  due(now = Date.now()): boolean {
    const last = this.#last;
    return this.#running === null && (last === null || last.registry !== this.#opts.registry.registry || now - last.at >= this.#everyMs);
  }

  /** Looks now (one look at a time); true when the daemons its claims leave alone changed. */
  check(): Promise<boolean> {
    this.#running ??= this.#check().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #check(): Promise<boolean> {
    const registry = this.#opts.registry.registry;
    const { log } = this.#opts;
    let look: Look;
    try {
      look = await serviceLacks(registry, this.#opts.registry.problems ?? [], this.#opts.runners, this.#opts.env);
    } catch (error) {
      log.warn('could not check what the services need on this worker', { error: errorMessage(error) });
      return false;
    }
    const { lacks } = look;
    const before = this.#last;
    const fresh = before === null || before.registry !== registry;
    const was = new Map((fresh ? [] : before.lacks).map((l) => [l.service, lackText(l)]));
    for (const lack of lacks) {
      const why = lackText(lack);
      if (was.get(lack.service) !== why) log.warn(`service ${lack.service} cannot run on this worker: ${why}`, { service: lack.service, claimed: !lack.declined });
    }
    const now = new Set(lacks.map((l) => l.service));
    for (const service of was.keys()) if (!now.has(service)) log.info(`service ${service} can run on this worker again`, { service });
    const sockets = [...this.#unreachable].sort().join('\n');
    this.#unreachable = look.unreachable;
    this.#last = { registry, at: Date.now(), lacks };
    this.#unwritten = { checked_at: new Date().toISOString(), services: lacks };
    return [...look.unreachable].sort().join('\n') !== sockets;
  }

  /**
   * The services claims under `registry` leave out, every job of them failing here for certain: a variable
   * a job reads unset, or a Docker daemon whose socket the last look found missing, refusing or not permitted.
   */
  declined(registry: Registry): string[] {
    let unset = this.#unset.get(registry);
    if (unset === undefined) {
      unset = new Set(declinedForUnset(registry, this.#opts.env));
      this.#unset.set(registry, unset);
    }
    const unreachable = (s: ServiceConfig) => s.execution_type === 'docker' && this.#unreachable.has(s.runner_config.socket_path);
    return registry.services.filter((s) => unset.has(s.name) || unreachable(s)).map((s) => s.name);
  }

  /** The last look, while the store has not taken it; the heartbeat that carries it calls written(). */
  unwritten(): WorkerCannotRun | undefined {
    return this.#unwritten ?? undefined;
  }

  written(record: WorkerCannotRun): void {
    if (this.#unwritten === record) this.#unwritten = null;
  }

  /** The worker registered again, which clears its row's record: the next heartbeat writes the last look again. */
  rewrite(): void {
    const last = this.#last;
    if (last !== null) this.#unwritten ??= { checked_at: new Date(last.at).toISOString(), services: last.lacks };
  }
}
