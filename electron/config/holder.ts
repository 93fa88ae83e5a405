import path from 'node:path';
import type { Registry, RegistryProblem, ServiceConfig } from '../../shared/registry.ts';
import { loadRegistryFile, parseRegistry, type RegistryParse } from './load.ts';
import { registryDigest } from './registryDigest.ts';

type Env = Readonly<Record<string, string | undefined>>;
export type RegistryChangeListener = (registry: Registry) => void;
/** `problems` lists the first fifty; `errors` counts every error found. */
export type LoadResult = { ok: boolean; problems: RegistryProblem[]; errors: number };

/**
 * The registry in use. A load that finds errors is refused and the last good registry stays, so a typo
 * saved during an incident never takes the running services away; its problems stay visible.
 */
export class RegistryHolder {
  #registry: Registry = { services: [] };
  #path: string | null = null;
  #loadedAt: Date | null = null;
  #digest: string | null = null;
  #problems: RegistryProblem[] = [];
  #warnings: RegistryProblem[] = [];
  #problemsFile: string | null = null;
  #lastFile: string | null = null;
  #byName = new Map<string, ServiceConfig>();
  readonly #listeners = new Set<RegistryChangeListener>();
  readonly #env: Env;

  constructor(env: Env = process.env) {
    this.#env = env;
  }

  get registry(): Registry {
    return this.#registry;
  }

  get path(): string | null {
    return this.#path;
  }

  get loadedAt(): Date | null {
    return this.#loadedAt;
  }

  /** The sha256 of the bytes the registry in use was read from (registryDigest.ts); null before any load took. */
  get digest(): string | null {
    return this.#digest;
  }

  /** Problems of the last load attempt (warnings of a good load, or the errors of a refused one). */
  get problems(): RegistryProblem[] {
    return this.#problems;
  }

  /**
   * What the load of the registry in use warned of. After a refused load `problems` are that file's, whose
   * services are not the ones in use: a service's warning read against the registry in use would name another.
   */
  get warnings(): RegistryProblem[] {
    return this.#warnings;
  }

  /**
   * Where the problems above were found: the file of the last load attempt, which after a refused load is
   * not `path` (the last good one). A console labels each problem with it, never with what is typed now.
   */
  get problemsFile(): string | null {
    return this.#problemsFile;
  }

  /** The file the last load attempt read, taken or refused (absolute); null before any, or when it was text. */
  get lastFile(): string | null {
    return this.#lastFile;
  }

  service(name: string): ServiceConfig | undefined {
    return this.#byName.get(name);
  }

  async loadFile(file: string): Promise<LoadResult> {
    const absolute = path.resolve(file);
    return this.#apply(await loadRegistryFile(absolute, this.#env), absolute, absolute);
  }

  /** Loads registry text that has no file (tests, the demo); `label` names it in problems. */
  loadText(text: string, label = '(text)'): LoadResult {
    return this.#apply({ ...parseRegistry(text, label, this.#env), digest: registryDigest(text) }, null, label);
  }

  onChange(listener: RegistryChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #apply(result: RegistryParse, file: string | null, source: string): LoadResult {
    this.#problems = result.problems;
    this.#problemsFile = source;
    this.#lastFile = file;
    if (!result.registry) return { ok: false, problems: result.problems, errors: result.errors };
    this.#registry = result.registry;
    this.#warnings = result.problems;
    this.#byName = new Map(result.registry.services.map((s) => [s.name, s]));
    this.#path = file;
    this.#loadedAt = new Date();
    this.#digest = result.digest ?? null;
    for (const listener of this.#listeners) {
      try {
        listener(result.registry);
      } catch {
        // A listener's failure is its own; the registry is loaded for everyone else.
      }
    }
    return { ok: true, problems: result.problems, errors: 0 };
  }
}
