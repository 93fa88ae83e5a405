import type { HealthCheck } from '../../shared/domain.ts';
import { PG_POOL_MAX_ENV } from '../store/open.ts';
import { StoreError } from '../store/errors.ts';
import type { ConnectionRoom, PoolUse } from '../store/store.ts';
import type { ApiContext } from './context.ts';
import { ownPoolWords } from './answeredBy.ts';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a store's failure is, without the server, user or database it names: for a caller blind to the host. */
const FAILURE_KIND: Record<StoreError['code'], string> = {
  bad_location: 'its location does not parse',
  bad_setting: 'a setting of it is wrong',
  unreachable: 'its server cannot be reached',
  auth: 'its server refuses its user',
  no_database: 'its database does not exist',
  not_sqlite: 'its file is not a SQLite store',
  newer_schema: 'its schema is newer than this opsdeck',
  schema_behind: 'its schema is behind this opsdeck',
  migration_changed: 'an applied migration was changed',
  unavailable: 'it is unavailable',
  no_store: 'it holds no opsdeck store',
  not_opsdeck: 'it holds tables that are not opsdeck\'s',
  permission: 'its role lacks a privilege',
};

/**
 * What to do about a store's failure, for a caller blind to the host: the store's own hints name the
 * database and role (`createdb acme_prod`, `GRANT … TO app_ro`), so these say it without them. None for a
 * failure that passes by itself; `own`, the store's hint as it is, for the kind whose hints name nothing of
 * it (a schema behind this opsdeck: run opsdeck migrate; a standby; a full server).
 */
const FAILURE_ACTION: Record<StoreError['code'], string | 'own' | undefined> = {
  bad_location: "fix the store's location (--db, OPSDECK_DB) where this opsdeck runs",
  bad_setting: "fix the store's setting named where this opsdeck runs",
  unreachable: undefined,
  auth: "fix the user or password in the store's location where this opsdeck runs",
  no_database: "create the store's database, or fix its location where this opsdeck runs",
  not_sqlite: 'point this opsdeck at its own store',
  newer_schema: 'upgrade this opsdeck to the version that wrote the store',
  schema_behind: 'own',
  migration_changed: "restore opsdeck's migration files as released",
  unavailable: 'own',
  no_store: 'start a worker or run opsdeck migrate where this opsdeck runs, to create the store',
  not_opsdeck: "point this opsdeck at its own database or schema",
  permission: "grant the store's role what opsdeck needs (an operate key or the host's own health check names it)",
};

/** The action a caller blind to the host may be told for a store failure; undefined when it passes by itself. */
export function blindStoreAction(error: unknown): string | undefined {
  if (!(error instanceof StoreError) || error.transient) return undefined;
  const action = FAILURE_ACTION[error.code];
  return action === 'own' ? error.hint : action;
}

/**
 * A store's failure as a caller blind to the host (ctx.hostHidden) may learn it: its kind and whether it
 * passes by itself, never the store's own words, which name the server, the user, the database or the file.
 */
export function storeFailureText(ctx: Pick<ApiContext, 'hostHidden' | 'store'>, error: unknown): string {
  if (ctx.hostHidden === undefined) return message(error);
  return blindStoreFailure(ctx.store.dialect, error, ctx.hostHidden);
}

/** The same for any caller not entitled to the store's own words; `needs`: what would entitle it. */
export function blindStoreFailure(dialect: string, error: unknown, needs: string): string {
  if (!(error instanceof StoreError)) return `it failed; why, in its own words: that needs ${needs}`;
  const passes = error.transient ? ' (that passes by itself)' : '';
  return `the ${dialect} store does not answer: ${FAILURE_KIND[error.code]}${passes}; where and why, in its own words: that needs ${needs}`;
}

/** Every connection lent out and callers waiting: each call waits its turn, up to the pool's 5 s. */
function exhausted(pool: PoolUse): boolean {
  return pool.in_use >= pool.max && pool.waiting > 0;
}

function poolText(pool: PoolUse): string {
  return `${pool.in_use} of ${pool.max} connections in use, ${pool.waiting} caller${pool.waiting === 1 ? '' : 's'} waiting`;
}

/** `hidden`: the database and role go unnamed, as the store's location does. */
function roomText(room: ConnectionRoom, hidden: boolean): string {
  const counted = `${room.in_use} of ${room.max} connections`;
  if (room.limit === 'database') return `${counted} to ${hidden ? 'its database' : `database "${room.name ?? ''}"`} in use (its CONNECTION LIMIT)`;
  if (room.limit === 'role') return `${counted} of ${hidden ? 'its role' : `role "${room.name ?? ''}"`} in use (its CONNECTION LIMIT)`;
  return `${counted} to the server in use (max_connections)`;
}

/**
 * The store check: the store answers, and on PostgreSQL connections can still be had. It fails when the
 * store does not answer, or when the server is at the tightest limit on connections for this role and
 * database (a worker's next connection, or a console's, would be refused); it warns while the checking
 * process's own pool is exhausted (the workers' pools are laid over it by the report: poolExhaustion.ts).
 * The pool is read before the check's own statements take a connection or wait for one.
 * `answered` says whether the store answered at all: the checks that read it are made only then. A caller
 * blind to the host (ctx.hostHidden) is told how the store is, never where it is or as whom (its location,
 * database, role), as a diagnosis would.
 */
export async function storeCheck(ctx: ApiContext): Promise<{ check: HealthCheck; answered: boolean }> {
  const hidden = ctx.hostHidden !== undefined;
  const where = hidden ? `${ctx.store.dialect} store answers` : `${ctx.store.dialect} at ${ctx.store.location}`;
  const pool = ctx.store.poolUse();
  // Said as the checking process's own: a command's pool is idle but for the check's reads, never a worker's.
  const own = ownPoolWords(ctx.answeredBy);
  try {
    await ctx.store.getControl();
  } catch (error) {
    const busy = pool !== null && exhausted(pool) ? `; ${own}: ${poolText(pool)}` : '';
    return { check: { name: 'store', ok: false, detail: `${storeFailureText(ctx, error)}${busy}` }, answered: false };
  }
  if (pool === null) return { check: { name: 'store', ok: true, detail: where }, answered: true };
  let room: ConnectionRoom | null;
  try {
    room = await ctx.store.connectionRoom();
  } catch (error) {
    return { check: { name: 'store', ok: true, warning: true, detail: `${where}; ${own}: ${poolText(pool)}; the server's connection limits could not be read: ${hidden ? 'it did not answer' : message(error)}` }, answered: true };
  }
  const server = room === null ? '' : `; ${roomText(room, hidden)}`;
  if (room !== null && room.in_use >= room.max) {
    const detail = `no connection to spare: ${roomText(room, hidden)}, so new connections are refused ("too many clients"), a worker's or a console's among them; ${own}: ${poolText(pool)}`;
    return { check: { name: 'store', ok: false, detail }, answered: true };
  }
  if (exhausted(pool)) {
    return { check: { name: 'store', ok: true, warning: true, detail: `${where}; ${own} is exhausted: ${poolText(pool)} (${PG_POOL_MAX_ENV} sets its size)${server}` }, answered: true };
  }
  return { check: { name: 'store', ok: true, detail: `${where}; ${own}: ${poolText(pool)}${server}` }, answered: true };
}
