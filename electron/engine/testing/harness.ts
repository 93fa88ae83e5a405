import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Job } from '../../../shared/domain.ts';
import { RegistryHolder } from '../../config/holder.ts';
import type { Store } from '../../store/store.ts';
import { createSqliteTestStore } from '../../store/testing/sqliteTestDb.ts';
import { Engine, type EngineOptions } from '../engine.ts';
export { processAlive } from '../../runners/processTree.ts';

/** Shared by the engine's integration tests: real registries on disk, real HTTP servers, waiting on conditions. */

export const actor = { user: 'test', host: 'localhost' };

export async function tempDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-engine-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A shell service whose first run writes its pid to `<marker>.pid` and sleeps for half a minute, and whose
 * every later run (the marker file is there by then) exits 0 at once: for jobs that are taken back from
 * one run and must then complete. Each job's payload is `{ args: [marker] }`.
 */
export function stallsOnceService(name: string, dir: string) {
  return {
    name,
    execution_type: 'shell',
    runner_config: {
      command: ['/bin/sh', '-c', 'echo $$ > "$1.pid"; if [ -f "$1" ]; then exit 0; fi; : > "$1"; exec /bin/sleep 30', 'sh'],
      payload_args: true,
      working_directory: dir,
    },
    security_policy: { allowed_commands: ['/bin/sh'], allowed_roots: [dir] },
  };
}

/** Writes the services as a registry file (JSON is YAML) and loads it the way hosts do. */
export async function loadRegistry(dir: string, services: unknown[]): Promise<{ holder: RegistryHolder; file: string }> {
  const file = path.join(dir, `registry-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, JSON.stringify({ services }, null, 2));
  const holder = new RegistryHolder({});
  const result = await holder.loadFile(file);
  if (!result.ok) throw new Error(`test registry rejected: ${JSON.stringify(result.problems)}`);
  return { holder, file };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    last = value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

export async function jobOf(store: Store, id: number): Promise<Job> {
  const job = await store.getJob(id);
  if (!job) throw new Error(`job ${id} is missing`);
  return job;
}

/**
 * The pid a `stallsOnceService` run wrote to `<marker>.pid`. The shell creates the file before it writes
 * the line, so an empty or partial read is waited past: a pid of 0 would name the whole process group.
 */
export async function pidOf(marker: string, what = 'the job'): Promise<number> {
  return waitFor(`${what} to write its pid`, async () => {
    const text = await readFile(`${marker}.pid`, 'utf8').catch(() => '');
    return /^[1-9]\d*\n$/.test(text) ? Number(text) : null;
  });
}

export async function waitForStatus(store: Store, id: number, status: Job['status'], timeoutMs = 10_000): Promise<Job> {
  return waitFor(`job ${id} to be ${status}`, async () => {
    const job = await jobOf(store, id);
    return job.status === status ? job : null;
  }, timeoutMs);
}

export async function enqueueOne(store: Store, service: string, kind: Job['execution_type'], maxAttempts: number, payload: unknown = {}): Promise<number> {
  const [result] = await store.enqueue([{ queue: 'default', service_name: service, execution_type: kind, max_attempts: maxAttempts, payload }]);
  if (!result) throw new Error('enqueue returned nothing');
  return result.id;
}

export interface TestServer {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 answering with `respond(n)` for the n-th request (1-based). */
export async function httpServer(
  respond: (n: number, req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<TestServer> {
  const state = { requests: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.requests++;
      respond(state.requests, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the test server has no TCP address');
  const port = address.port;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An engine started on a fresh SQLite store with these services, and how to stop it and remove it all. */
export interface StartedEngine {
  store: Store;
  holder: RegistryHolder;
  /** The registry file the holder loaded: rewrite it and load it again to reload. */
  file: string;
  engine: Engine;
  cleanup(): Promise<void>;
}

/** `prepare` runs on the store before the engine starts, for what must hold from its first claim. */
export async function startEngine(services: unknown[], opts: Omit<EngineOptions, 'store' | 'registry'>, prepare?: (store: Store) => Promise<unknown>): Promise<StartedEngine> {
  const db = await createSqliteTestStore();
  const tmp = await tempDir();
  const { holder, file } = await loadRegistry(tmp.dir, services);
  await prepare?.(db.store);
  const engine = new Engine({ ...opts, store: db.store, registry: holder });
  await engine.start();
  return {
    store: db.store,
    holder,
    file,
    engine,
    async cleanup() {
      await engine.stop({ graceMs: 0 });
      await db.cleanup();
      await tmp.cleanup();
    },
  };
}
