import type pg from 'pg';
import { backendPid, ENGINE_ANSWER_MS, type PgDb } from './db.ts';

/**
 * A claim of no jobs and a settle of no results: each runs through its function's statements, taking no
 * job and writing no row (migration 0052 for the claim; the settle's statements run over an empty batch),
 * so the connection plans them and loads their tables' catalog entries now rather than when a job waits.
 */
const WARM_UP_SQL = `SELECT jobs.opsdeck_claim('', 0, 1, NULL, '{}', '{}', '{}'); SELECT count(*) FROM jobs.opsdeck_settle('[]', '{}')`;

/**
 * Readies an idle worker's pooled connections for the claim and the settle (Store.warmUp). A connection
 * plans a function's statements the first time it runs them, and a claim that finds nothing never reaches
 * its writes: without this the first job into an idle worker paid for that planning on the way to its
 * start (about 2 ms more of the server's CPU for its claim, 4 for its settle; bench/README.md, "An idle
 * worker readies its connections"), and the jobs after it wherever the pool gave a connection that had not
 * claimed one yet. Each connection is readied once (by its server process), so on a pool whose connections
 * are all ready a call costs no I/O: a store shared by many workers sees one claim and one settle of
 * nothing per connection a worker opens, about 6.5 ms of its CPU.
 */
export class ConnectionWarmth {
  readonly #db: PgDb;
  /** The server processes of connections that ran the warm-up (or failed it: it is not tried again). */
  readonly #ready = new Set<number>();
  #running: Promise<void> | null = null;

  constructor(db: PgDb) {
    this.#db = db;
    db.pool.on('remove', (client) => {
      const pid = backendPid(client);
      if (pid !== null) this.#ready.delete(pid);
    });
  }

  /** Whether a connection of the pool has not been readied yet. */
  get cold(): boolean {
    for (const pid of this.#db.ownPids) if (!this.#ready.has(pid)) return true;
    return false;
  }

  /** One warm-up at a time; never rejects: a connection that could not be readied plans when it claims. */
  warmUp(): Promise<void> {
    if (!this.cold) return Promise.resolve();
    this.#running ??= this.#warmIdle().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /**
   * The idle connections only: none is opened for this, and nothing is taken while a statement waits
   * for a connection. The pool hands out the connection it had back last first, so each is held until
   * every idle one is out (a few milliseconds: the ready ones go back at once, the others after their
   * warm-up); a statement of the worker's own meanwhile gets a connection of its own, as the pool allows.
   */
  async #warmIdle(): Promise<void> {
    const pool = this.#db.pool;
    const taken: pg.PoolClient[] = [];
    try {
      while (pool.idleCount > 0 && pool.waitingCount === 0) taken.push(await pool.connect());
    } catch {
      // The pool is ending or the server went: whatever was taken goes back below.
    }
    const cold: pg.PoolClient[] = [];
    for (const client of taken) {
      const pid = backendPid(client);
      if (pid === null || this.#ready.has(pid)) client.release();
      else cold.push(client);
    }
    await Promise.all(cold.map((client) => this.#warm(client)));
  }

  async #warm(client: pg.PoolClient): Promise<void> {
    const pid = backendPid(client);
    if (pid !== null) this.#ready.add(pid);
    try {
      await client.query({ text: WARM_UP_SQL, query_timeout: ENGINE_ANSWER_MS });
      client.release();
    } catch (err) {
      // A connection that did not answer in time is not given to anyone else (PgDb does the same).
      client.release(err instanceof Error ? err : true);
    }
  }
}
