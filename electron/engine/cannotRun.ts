import type { ExecutionType, ServiceLack, WorkerCannotRun } from '../../shared/domain.ts';
import type { Registry } from '../../shared/registry.ts';
import { lackText } from '../../shared/cannotRunText.ts';
import type { Logger } from '../log/logger.ts';
import { errorMessage } from '../runners/result.ts';
import type { Runner } from '../runners/runner.ts';
import type { RegistrySource } from './dispatcherOptions.ts';
import { serviceLacks } from './unrunnable.ts';

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
 * services it leaves out of its claims, and the record its next heartbeat writes on its row for the fleet's
 * views. A worker says each service it lacks something for at start and after a reload; between, only what
 * changed.
 */
export class CannotRunCheck {
  readonly #opts: CannotRunOptions;
  readonly #everyMs: number;
  #last: Checked | null = null;
  #unwritten: WorkerCannotRun | null = null;
  #running: Promise<boolean> | null = null;

  constructor(opts: CannotRunOptions) {
    this.#opts = opts;
    this.#everyMs = Math.max(10, opts.everyMs ?? CANNOT_RUN_CHECK_MS);
  }

  /** Whether a look is due: none yet, the registry changed, or the last is older than the interval. */
  due(now = Date.now()): boolean {
    const last = this.#last;
    return this.#running === null && (last === null || last.registry !== this.#opts.registry.registry || now - last.at >= this.#everyMs);
  }

  /** Looks now (one look at a time); true when what it leaves out of its claims changed. */
  check(): Promise<boolean> {
    this.#running ??= this.#check().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #check(): Promise<boolean> {
    const registry = this.#opts.registry.registry;
    const { log } = this.#opts;
    let lacks: ServiceLack[];
    try {
      lacks = await serviceLacks(registry, this.#opts.registry.problems ?? [], this.#opts.runners, this.#opts.env);
    } catch (error) {
      log.warn('could not check what the services need on this worker', { error: errorMessage(error) });
      return false;
    }
    const before = this.#last;
    const fresh = before === null || before.registry !== registry;
    const was = new Map((fresh ? [] : before.lacks).map((l) => [l.service, lackText(l)]));
    for (const lack of lacks) {
      const why = lackText(lack);
      if (was.get(lack.service) !== why) log.warn(`service ${lack.service} cannot run on this worker: ${why}`, { service: lack.service, claimed: !lack.declined });
    }
    const now = new Set(lacks.map((l) => l.service));
    for (const service of was.keys()) if (!now.has(service)) log.info(`service ${service} can run on this worker again`, { service });
    const declinedBefore = this.declined(before?.registry ?? null).join('\n');
    this.#last = { registry, at: Date.now(), lacks };
    this.#unwritten = { checked_at: new Date().toISOString(), services: lacks };
    return this.declined(registry).join('\n') !== declinedBefore;
  }

  /** The services claims leave out: those the last look under `registry` found every job of would fail here. */
  declined(registry: Registry | null): string[] {
    const last = this.#last;
    if (last === null || last.registry !== registry) return [];
    return last.lacks.filter((l) => l.declined).map((l) => l.service);
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
