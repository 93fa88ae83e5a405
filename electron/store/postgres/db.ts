import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { StoreError } from '../errors.ts';
import { loadMigrations, pendingMigrations } from '../migrate.ts';
import { appliedOn } from './applied.ts';
import { connectionError, deniedTable, isSchemaGap, noAnswerError, privilegeError, schemaGapError, type DeniedRole } from './errors.ts';
import { redactLocation } from '../location.ts';
import type { PoolUse } from '../store.ts';
import type { WorkerPool } from '../../../shared/domain.ts';
import { PoolGauge } from './poolGauge.ts';

declare module 'pg' {
  interface QueryConfig {
    /** pg reads this per statement too (Client#query), not only per connection; the typings lack it. */
    query_timeout?: number;
  }
}

export const CONNECT_TIMEOUT_MS = 5000;
/** How long the engine's statements may go unanswered (see PgDb.engineQuery). */
export const ENGINE_ANSWER_MS = 10_000;
/**
 * How long a read for the console, the CLI or the REST API may go unanswered (see PgDb.read): far past
 * what any of them takes (an index walk of milliseconds), short of the quarter of an hour a connection
 * that died without a word would hold the caller.
 */
export const READ_ANSWER_MS = 30_000;

const OID = { int8: 20, numeric: 1700, timestamptz: 1184, timestamp: 1114 };

/**
 * Parsers for this pool only (not pg's global registry, which other code in the process may rely on):
 * bigint ids and counts as numbers, timestamps as ISO strings in UTC with milliseconds.
 */
function typeOverrides(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  const toDate = pg.types.getTypeParser(OID.timestamptz, 'text');
  types.setTypeParser(OID.int8, 'text', (value: string) => Number.parseInt(value, 10));
  types.setTypeParser(OID.numeric, 'text', (value: string) => Number.parseFloat(value));
  types.setTypeParser(OID.timestamptz, 'text', (value: string) => {
    const parsed: unknown = toDate(value);
    return parsed instanceof Date && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : value;
  });
  return types;
}

export type Row = Record<string, unknown>;

/**
 * How often a statement or transaction PostgreSQL chose as a deadlock's victim is run again. The victim
 * is rolled back whole, so nothing of it stays, and by the time it hears so the other side holds what it
 * waited for and goes on: the second try finds the way clear. Rare rows that two writers take in opposite
 * orders (an operator cancelling a workflow run while a worker claims its tasks, a result recorded just as
 * the watchdog took the job back) would otherwise fail an operator's action or cost a worker a poll.
 */
const DEADLOCK_TRIES = 3;

function isDeadlock(err: unknown): boolean {
  // A transaction's failure comes wrapped (a StoreError, transient) by the time it reaches the retry.
  if (err instanceof StoreError) return isDeadlock(err.cause);
  return err instanceof Error && 'code' in err && err.code === '40P01';
}

async function retryingDeadlocks<T>(run: () => Promise<T>): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await run();
    } catch (err) {
      if (tried >= DEADLOCK_TRIES || !isDeadlock(err)) throw err;
    }
  }
}

/** The server process of a connection (pg sets it at startup; its typings leave it out). */
function backendPid(client: object): number | null {
  return 'processID' in client && typeof client.processID === 'number' ? client.processID : null;
}
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** The pool, with every connection failure turned into a one-line StoreError. */
export class PgDb {
  readonly url: string;
  readonly location: string;
  readonly pool: pg.Pool;
  readonly types: pg.TypeOverrides;
  /** Backend pids of our own connections: our own NOTIFYs are not news to us. */
  readonly ownPids = new Set<number>();

  readonly poolSize: number;

  readonly #engineAnswerMs: number;
  readonly #readAnswerMs: number;
  /**
   * Every statement's connection is asked for through it, but those of telling a failure (its role, its
   * migrations, a cancel). #bounded, once and #tx each repeat the same few lines to do so, on purpose: a
   * helper they shared would be one more await, and one more promise, for every statement of the engine's
   * hot path.
   */
  readonly #gauge: PoolGauge;

  constructor(url: string, poolSize: number, engineAnswerMs = ENGINE_ANSWER_MS, readAnswerMs = READ_ANSWER_MS) {
    this.url = url;
    this.poolSize = poolSize;
    this.#engineAnswerMs = engineAnswerMs;
    this.#readAnswerMs = readAnswerMs;
    this.location = redactLocation(url);
    this.types = typeOverrides();
    this.pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      // Idle pooled connections never keep a finished CLI command alive.
      allowExitOnIdle: true,
      application_name: 'opsdeck',
      // As on the listening connection (signals.ts): the OS notices an idle connection whose peer
      // vanished, so the pool drops it before a statement is sent into the void.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      // The store runs short OLTP statements; JIT compiling them (triggered by stale cost estimates on a
      // fast-changing queue table) costs far more than it saves. A transaction left open by a frozen
      // process (a laptop asleep mid-action) must not hold job rows locked for everyone else.
      options: '-c jit=off -c idle_in_transaction_session_timeout=60000',
      types: this.types,
    });
    // An idle connection dying (server restart, network) must never take the process down; the next
    // query gets a fresh connection or a clear StoreError.
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => {
      client.on('error', () => undefined);
      const pid = backendPid(client);
      if (pid !== null) this.ownPids.add(pid);
    });
    this.pool.on('remove', (client) => {
      const pid = backendPid(client);
      if (pid !== null) this.ownPids.delete(pid);
    });
    this.#gauge = new PoolGauge(this.pool, poolSize);
  }

  /** Read off the pool, so it answers even while every connection is busy. */
  poolUse(): PoolUse {
    return { in_use: this.pool.totalCount - this.pool.idleCount, max: this.poolSize, waiting: this.pool.waitingCount };
  }

  /** What the pool went through since the last call (PoolGauge); the worker's heartbeat takes it. */
  takePoolPeaks(): WorkerPool {
    return this.#gauge.take();
  }

  wrap(err: unknown, answerMs = this.#engineAnswerMs): unknown {
    const denied = privilegeError(err, this.url);
    if (denied) return denied;
    // Connections that reached the server (ownPids); the rest of the pool's count is still connecting.
    return noAnswerError(err, this.url, answerMs) ?? connectionError(err, this.url, CONNECT_TIMEOUT_MS, this.poolSize, this.ownPids.size) ?? err;
  }

  /**
   * wrap, and for a privilege refused, the server asked on a connection of its own which role it refused
   * and whether that role may at least read the table: "may read but not write" is what a read-only role
   * pointed at a control command needs to hear. A column or table of opsdeck's missing (isSchemaGap) is
   * told with the migrations the database records, read the same way: behind this opsdeck, or not.
   * Called with the failing connection released.
   */
  async failure(err: unknown, answerMs = this.#engineAnswerMs): Promise<unknown> {
    if (isSchemaGap(err)) return schemaGapError(err, this.url, await this.#migrations(answerMs));
    if (!privilegeError(err, this.url)) return this.wrap(err, answerMs);
    const table = deniedTable(err);
    let denied: DeniedRole = { role: null, reads: null };
    try {
      const rows = await this.pool.query<Row>({
        text: `SELECT current_user::text AS role, CASE WHEN $1::text IS NULL THEN NULL ELSE has_table_privilege(format('jobs.%I', $1::text), 'SELECT') END AS reads`,
        values: [table],
        query_timeout: answerMs,
      });
      const row = rows.rows[0];
      denied = { role: typeof row?.role === 'string' ? row.role : null, reads: typeof row?.reads === 'boolean' ? row.reads : null };
    } catch {
      // The refusal is told all the same, without the role's name.
    }
    return privilegeError(err, this.url, denied) ?? this.wrap(err, answerMs);
  }

  /** How many migrations the database records and how many of this opsdeck's it lacks; null when that cannot be read. */
  async #migrations(answerMs: number): Promise<{ applied: number; pending: number } | null> {
    try {
      const applied = await appliedOn(async (text) => (await this.pool.query<Row>({ text, query_timeout: answerMs })).rows);
      return { applied: applied.length, pending: pendingMigrations(await loadMigrations('postgres'), applied, this.location).length };
    } catch {
      return null;
    }
  }

  /** A statement whose answer is awaited however long it takes: operators' writes, bulk actions, migrations. */
  async query(text: string, values: unknown[] = [], name?: string): Promise<Row[]> {
    return this.#bounded({ text, values, ...(name ? { name } : {}) }, null);
  }

  /**
   * A statement of the engine's own (claims, results, leases, heartbeats, control and breaker reads),
   * whose answer is awaited for a bounded time: past it the call fails and the pool drops the
   * connection. A connection can die without a word (a laptop changes networks, a NAT forgets it), and a
   * statement sent on it would otherwise wait until the kernel gives up, a quarter of an hour later,
   * with the worker claiming nothing and deaf to an emergency stop. Operators' bulk actions and
   * migrations stay unbounded: a long purge must not be reported failed while the server finishes it.
   */
  async engineQuery(text: string, values: unknown[] = [], name?: string): Promise<Row[]> {
    return this.#bounded({ text, values, ...(name ? { name } : {}) }, this.#engineAnswerMs);
  }

  /**
   * A read for an operator (console, CLI, REST, readiness), awaited for a bounded time like the engine's
   * statements (engineQuery) but longer. Writes of operators' actions stay unbounded (query, tx).
   */
  async read(text: string, values: unknown[] = [], name?: string): Promise<Row[]> {
    return this.#bounded({ text, values, ...(name ? { name } : {}) }, this.#readAnswerMs);
  }

  /**
   * Past `answerMs` the caller gets its error, the connection is dropped, and the server is asked to
   * cancel the statement: giving up on the client alone would leave it running there (waiting on a lock,
   * say), holding a connection of its own, and a poller would add one for every try. Null: no bound.
   */
  async #bounded(statement: pg.QueryConfig, answerMs: number | null): Promise<Row[]> {
    const askedAt = performance.now();
    let client: pg.PoolClient;
    try {
      client = await this.#gauge.asked(this.pool.connect(), askedAt);
    } catch (err) {
      throw this.wrap(err, answerMs ?? this.#engineAnswerMs);
    } finally {
      this.#gauge.lent(askedAt);
    }
    try {
      const result = await retryingDeadlocks(() => client.query<Row>(answerMs === null ? statement : { ...statement, query_timeout: answerMs }));
      client.release();
      return result.rows;
    } catch (err) {
      client.release(err instanceof Error ? err : true);
      if (answerMs === null) throw await this.failure(err);
      const pid = backendPid(client);
      if (noAnswerError(err, this.url, answerMs) && pid !== null) this.#cancel(pid);
      throw await this.failure(err, answerMs);
    }
  }

  /** Best effort, on a connection of its own: when the network is what went, this fails too, and the server ends the statement with the connection. */
  #cancel(pid: number): void {
    this.pool.query({ text: 'SELECT pg_cancel_backend($1)', values: [pid], query_timeout: this.#engineAnswerMs }).catch(() => undefined);
  }

  /**
   * Runs `fn` on one connection outside a transaction, for statements each atomic on its own (a single
   * enqueue); awaited however long it takes, as `query` is.
   */
  async once<T>(fn: (client: Queryable) => Promise<T>): Promise<T> {
    const askedAt = performance.now();
    let client: pg.PoolClient;
    try {
      client = await this.#gauge.asked(this.pool.connect(), askedAt);
    } catch (err) {
      throw this.wrap(err);
    } finally {
      this.#gauge.lent(askedAt);
    }
    try {
      const out = await fn(client);
      client.release();
      return out;
    } catch (err) {
      client.release(err instanceof Error ? err : true);
      throw await this.failure(err);
    }
  }

  /** Runs `fn` in one transaction on one connection; rolls back on any error; runs it again if a deadlock's victim. */
  tx<T>(fn: (client: Queryable) => Promise<T>): Promise<T> {
    return retryingDeadlocks(() => this.#tx(fn));
  }

  async #tx<T>(fn: (client: Queryable) => Promise<T>): Promise<T> {
    const askedAt = performance.now();
    let client: pg.PoolClient;
    try {
      client = await this.#gauge.asked(this.pool.connect(), askedAt);
    } catch (err) {
      throw this.wrap(err);
    } finally {
      this.#gauge.lent(askedAt);
    }
    let broken = false;
    let failed: { err: unknown } | null = null;
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      failed = { err };
    } finally {
      client.release(broken);
    }
    // Told once the connection is back in the pool: a pool of one would otherwise wait on itself.
    throw await this.failure(failed.err);
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

/** `name` makes it a prepared statement: planned once per connection, for the hot paths. */
export async function rowsOf(client: Queryable, text: string, values: unknown[] = [], name?: string): Promise<Row[]> {
  const result = await client.query<Row>(name ? { name, text, values } : { text, values });
  return result.rows;
}

/** A closed store refuses work with an error a host can show. */
export function closedError(location: string): StoreError {
  return new StoreError('unavailable', `the store at ${location} is closed`, 'open it again');
}
