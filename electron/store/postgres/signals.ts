import pg from 'pg';
import { z } from 'zod';
import type { PgDb } from './db.ts';
import { CONNECT_TIMEOUT_MS } from './db.ts';
import type { StoreSignal } from '../store.ts';

export const CHANNEL = 'opsdeck';
const SIGNALS: readonly StoreSignal[] = ['control', 'breakers', 'jobs', 'ready', 'workers'];
const POLL_MS = 1000;
const RECONNECT_MAX_MS = 10_000;
/** The listening connection is pinged this often: a dead one is replaced instead of waiting in silence. */
const PING_MS = 15_000;
/** Frequent changes are announced to other processes at most this often. */
const COALESCE_MS = 500;

const Versions = z.object({ control: z.number(), breakers: z.number() });

function isSignal(value: string | undefined): value is StoreSignal {
  return SIGNALS.some((s) => s === value);
}

/**
 * Signals between processes sharing one database. Listeners in this process hear local changes at
 * once; other processes hear them through LISTEN/NOTIFY on a dedicated connection, opened on the first
 * subscribe. While that connection is down, the control and breaker versions are polled every second
 * instead, so an emergency stop still reaches every worker.
 */
export class PgSignals {
  readonly #db: PgDb;
  readonly #listeners = new Set<(signal: StoreSignal) => void>();
  #client: pg.Client | null = null;
  #connecting = false;
  #closed = false;
  #reconnectDelay = 250;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #pollTimer: NodeJS.Timeout | null = null;
  #pingTimer: NodeJS.Timeout | null = null;
  #controlVersion: number | null = null;
  #breakersVersion: number | null = null;
  #everConnected = false;
  /** Signals announced in the last COALESCE_MS, each with the timer that ends its quiet period. */
  readonly #quiet = new Map<StoreSignal, NodeJS.Timeout>();
  /** Changes made during a signal's quiet period, announced when it ends. */
  readonly #pending = new Set<StoreSignal>();

  constructor(db: PgDb) {
    this.#db = db;
  }

  subscribe(listener: (signal: StoreSignal) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#client && !this.#connecting && !this.#reconnectTimer && !this.#closed) {
      // The versions as of now, read on a pooled connection while the listening one is still being
      // opened: a change made in between is then noticed when LISTEN is in place.
      void this.#checkVersions();
      void this.#connect();
    }
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** A change made here: local listeners now; other processes through the caller's pg_notify. */
  emit(signal: StoreSignal): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(signal);
      } catch {
        // a listener's failure is its own; the others still hear the signal
      }
    }
  }

  /**
   * Frequent changes (jobs; breaker counters without a transition): heard here at once, and announced to
   * other processes at once too when nothing was announced in the last COALESCE_MS (an idle worker starts
   * a single new job within milliseconds); during a burst, at most one NOTIFY per signal every COALESCE_MS
   * however many changes came.
   */
  changedOften(...signals: StoreSignal[]): void {
    for (const signal of signals) this.emit(signal);
    if (this.#closed) return;
    const now: StoreSignal[] = [];
    for (const signal of signals) {
      if (this.#quiet.has(signal)) this.#pending.add(signal);
      else now.push(signal);
    }
    this.#announce(now);
  }

  /**
   * Jobs changed; `ready` when some may have become claimable (StoreSignal says which changes do). Each
   * signal keeps its own quiet period, so a worker's stream of claims and settles never holds back the
   * `ready` of a job it enqueues.
   */
  jobsChanged(ready: boolean): void {
    if (ready) this.changedOften('jobs', 'ready');
    else this.changedOften('jobs');
  }

  #announce(signals: StoreSignal[]): void {
    if (this.#closed || signals.length === 0) return;
    this.#db.engineQuery('SELECT pg_notify($1, s) FROM unnest($2::text[]) AS s', [CHANNEL, signals]).catch(() => undefined);
    for (const signal of signals) {
      const timer = setTimeout(() => {
        this.#quiet.delete(signal);
        if (this.#pending.delete(signal)) this.#announce([signal]);
      }, COALESCE_MS);
      timer.unref();
      this.#quiet.set(signal, timer);
    }
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    this.#connecting = true;
    const client = new pg.Client({
      connectionString: this.#db.url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'opsdeck-listen',
      types: this.#db.types,
      // TCP keepalive lets the OS notice a peer that vanished (NAT timeout, sleep); the ping notices sooner.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (msg) => {
      // Our own pool's notifications were already heard locally when the change was made.
      if (this.#db.ownPids.has(msg.processId)) return;
      if (isSignal(msg.payload)) this.emit(msg.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.#closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.#client = client;
      this.#reconnectDelay = 250;
      this.#stopPolling();
      this.#startPing(client);
      // Whatever happened while we were not listening: check the versions once; after a reconnect, job
      // and worker views may be stale too.
      await this.#checkVersions();
      if (this.#everConnected) {
        this.emit('jobs');
        this.emit('ready');
        this.emit('workers');
      }
      this.#everConnected = true;
    } catch {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.#scheduleReconnect();
    } finally {
      this.#connecting = false;
    }
  }

  #startPing(client: pg.Client): void {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      // A connection whose peer vanished without a word does not fail a query, it never answers it.
      const silence = setTimeout(() => this.#lost(client), CONNECT_TIMEOUT_MS);
      silence.unref();
      client
        .query('SELECT 1')
        .catch(() => this.#lost(client))
        .finally(() => clearTimeout(silence));
    }, PING_MS);
    this.#pingTimer.unref();
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = null;
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer) return;
    this.#startPolling();
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      void this.#connect();
    }, this.#reconnectDelay);
    this.#reconnectTimer.unref();
    this.#reconnectDelay = Math.min(RECONNECT_MAX_MS, this.#reconnectDelay * 2);
  }

  #startPolling(): void {
    if (this.#pollTimer || this.#closed) return;
    this.#pollTimer = setInterval(() => void this.#checkVersions(), POLL_MS);
    this.#pollTimer.unref();
  }

  #stopPolling(): void {
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    this.#pollTimer = null;
  }

  /** The control version and the sum of breaker versions: either moves when its state changed. */
  async #checkVersions(): Promise<void> {
    try {
      const rows = await this.#db.engineQuery(
        `SELECT (SELECT version FROM jobs.tb_control) AS control, (SELECT coalesce(sum(version), 0) FROM jobs.tb_breaker) AS breakers`,
      );
      const v = Versions.parse(rows[0]);
      const before = { control: this.#controlVersion, breakers: this.#breakersVersion };
      this.#controlVersion = v.control;
      this.#breakersVersion = v.breakers;
      if (before.control !== null && before.control !== v.control) this.emit('control');
      if (before.breakers !== null && before.breakers !== v.breakers) this.emit('breakers');
    } catch {
      // the database is unreachable too: the next tick tries again
    }
  }

  /** Remember the version this process last saw, so polling does not report our own change. */
  noteControlVersion(version: number): void {
    this.#controlVersion = version;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    this.#stopPolling();
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    for (const timer of [this.#reconnectTimer, ...this.#quiet.values()]) if (timer) clearTimeout(timer);
    this.#reconnectTimer = null;
    this.#quiet.clear();
    this.#pending.clear();
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
