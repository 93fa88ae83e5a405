import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log/logger.ts';
import { locationWithoutPasswords, parseLocation } from '../store/location.ts';
import type { Runtime } from './runtime.ts';

/** Store → the registry file last loaded for it, absolute. A store is keyed by its file, or its URL without a password. */
const Remembered = z.record(z.string(), z.string());

export const REGISTRY_MEMORY_FILE = 'opsdeck-registries.json';

function storeKey(location: string): string {
  const parsed = parseLocation(location);
  return parsed.dialect === 'sqlite' ? parsed.path : locationWithoutPasswords(parsed.url);
}

/**
 * The registry file a console host last loaded for each store (Settings, the demo, its start, a SIGHUP),
 * kept in a file of `dir` so the next start on that store loads it again: a registry forgotten at each
 * restart left the jobs it had enqueued pending with nobody saying why. Only loads the holder took are
 * kept (it tells no other), so a refused file never replaces the last good one.
 */
export class RegistryMemory {
  readonly file: string;
  #writing: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.file = join(dir, REGISTRY_MEMORY_FILE);
  }

  /** The registry file last loaded for the store at `location`, or null. A missing or damaged memory is none. */
  async recall(location: string): Promise<string | null> {
    // After the writes asked for so far: what was just remembered is what is recalled.
    await this.#writing;
    return (await this.#read())[storeKey(location)] ?? null;
  }

  /** Keeps `registryPath` as the one last loaded for the store at `location`; writes go one after another. */
  remember(location: string, registryPath: string): Promise<void> {
    const write = this.#writing.then(async () => {
      const all = { ...(await this.#read()), [storeKey(location)]: registryPath };
      await mkdir(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
      await rename(temp, this.file);
    });
    this.#writing = write.catch(() => undefined);
    return write;
  }

  async #read(): Promise<Record<string, string>> {
    try {
      const parsed = Remembered.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }
}

/**
 * Remembers the registry file the runtime's holder has now (the one it started with, --registry's too) and
 * every one it loads after, for the store in use then; returns the undo.
 */
export function rememberLoads(rt: Runtime, memory: RegistryMemory, log: Logger): () => void {
  const keep = () => {
    const path = rt.ctx.registry.path;
    if (path === null) return;
    memory.remember(rt.ctx.store.location, path).catch((error: unknown) => {
      log.warn(`could not remember the registry ${path} for the next start`, { file: memory.file, error: error instanceof Error ? error.message : String(error) });
    });
  };
  keep();
  return rt.ctx.registry.onChange(keep);
}

/** How the start went with the remembered registry, in one line for the host's output. */
export function recalledText(load: NonNullable<Runtime['registryLoad']>): string {
  if (load.ok) return `${load.path} (the one last loaded on this store)`;
  const first = load.problems[0];
  return `none: the one last loaded on this store, ${load.path}, no longer loads (${first ? first.message : `${load.errors} problem(s)`}${load.errors > 1 ? `, and ${load.errors - 1} more` : ''})`;
}
