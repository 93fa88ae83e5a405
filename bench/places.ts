import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withClient } from '../electron/store/testing/pgTestDb.ts';

/**
 * Where a benchmark run keeps its jobs: a store nobody else uses, made for the run and removed after it,
 * so every measurement starts from empty tables and leaves nothing behind.
 */
export interface Place {
  /** What `openStore` takes: a SQLite file path or a postgres:// URL. */
  location: string;
  /** Scratch space for the run (the registry file lives here). */
  dir: string;
  remove(): Promise<void>;
}

/**
 * The same server the peer benchmarks use (their PEER_PG_URL, same default), so opsdeck and the peers are
 * measured against one PostgreSQL with one configuration. No embedded fallback: a benchmark against a
 * different server than the peers' would compare nothing.
 */
export const PG_URL = process.env.OPSDECK_BENCH_PG_URL ?? process.env.PEER_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Databases of a bench run start with this; the creation time follows, in base 36, then a random part. */
const PG_PREFIX = 'opsdeck_bench_';

async function scratchDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'opsdeck-bench-'));
}

/** A new SQLite file in a temp folder (opsdeck creates and migrates it on open). */
export async function sqlitePlace(): Promise<Place> {
  const dir = await scratchDir();
  return { location: path.join(dir, 'bench.db'), dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A fresh database on the server, as electron/store/testing/pgTestDb.ts makes one for tests: opsdeck's
 * tables always live in the schema `jobs`, so a private database (not a private schema) is what keeps a
 * run apart from everything else on the server. Dropped WITH (FORCE) afterwards, whatever is connected.
 */
export async function postgresPlace(): Promise<Place> {
  const name = `${PG_PREFIX}${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  await withClient(PG_URL, (c) => c.query(`CREATE DATABASE ${name}`));
  const dir = await scratchDir();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    location: url.toString(),
    dir,
    async remove() {
      await withClient(PG_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
