import type { IncomingHttpHeaders } from 'node:http';
import { calls } from '../../../shared/contract.ts';
import { dispatch } from '../../api/dispatch.ts';
import { CONSOLE_WORDS } from '../../api/interfaceWords.ts';
import { createRuntime, type Runtime } from '../../api/runtime.ts';
import { createSqliteTestStore } from '../../store/testing/sqliteTestDb.ts';
import { createRestHandler } from '../handler.ts';
import { startRestServer } from '../server.ts';
import { FailureThrottle } from '../throttle.ts';
import { rawRequest } from './http.ts';

export interface RestAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface RestFixture {
  runtime: Runtime;
  port: number;
  /** A read key (named monitor) and an operate key (named ci-bot). */
  readKey: string;
  operateKey: string;
  /** A request as a client sends it: the key as a bearer token, the body as JSON. */
  call(method: string, path: string, key: string, body?: unknown): Promise<RestAnswer>;
  close(): Promise<void>;
}

/** The store a fixture serves: `db` as given, or a fresh SQLite file it removes after. */
async function storeAt(db: string | undefined): Promise<{ location: string; cleanup(): Promise<void> }> {
  if (db !== undefined) return { location: db, cleanup: async () => {} };
  const sqlite = await createSqliteTestStore();
  await sqlite.store.close();
  return { location: sqlite.path, cleanup: () => sqlite.cleanup() };
}

/**
 * `opsdeck api` as the REST tests meet it: a real server on 127.0.0.1 over a fresh SQLite store (or the
 * store at `db`, which the caller made and drops) with the registry at `registryPath`, this `env`, and one
 * key of each scope.
 */
export async function startRestFixture(registryPath: string, env: Record<string, string | undefined>, db?: string): Promise<RestFixture> {
  const store = await storeAt(db);
  const runtime = await createRuntime({ words: CONSOLE_WORDS, db: store.location, registryPath, execute: false, env });
  const server = await startRestServer({ host: '127.0.0.1', port: 0, handler: createRestHandler({ context: () => runtime.ctx, throttle: new FailureThrottle({ freeFailures: 3 }) }) });
  const make = async (name: string, scope: 'read' | 'operate') => {
    const res = await dispatch('apiKeys.create', { name, scope }, runtime.ctx);
    return calls['apiKeys.create'].output.parse(res.ok ? res.result : null).secret;
  };
  return {
    runtime,
    port: server.port,
    readKey: await make('monitor', 'read'),
    operateKey: await make('ci-bot', 'operate'),
    async call(method, path, key, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${key}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await rawRequest({ port: server.port, path, method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const json: unknown = JSON.parse(res.body);
      return { status: res.status, headers: res.headers, text: res.body, json };
    },
    async close() {
      await server.close();
      await runtime.close();
      await store.cleanup();
    },
  };
}
