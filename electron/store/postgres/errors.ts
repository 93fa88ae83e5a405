import { SchemaBehindError, StoreError } from '../errors.ts';
import { DEFAULT_PG_POOL_MAX, PG_POOL_MAX_ENV } from './poolMax.ts';

/** host:port of a PostgreSQL URL, for messages. */
export function serverOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return 'the given server';
  }
}

/** Which limit was reached: the role's, the database's, or the server's (53300 covers all three). */
function tooManyHint(message: string, poolMax: number): string {
  const each = `this opsdeck process holds up to ${poolMax} connections plus one to listen (${PG_POOL_MAX_ENV} sets how many)`;
  if (/for role/i.test(message)) return `close idle clients or raise the role's limit (ALTER ROLE … CONNECTION LIMIT n); ${each}`;
  if (/for database/i.test(message)) return `close idle clients or raise the database's limit (ALTER DATABASE … CONNECTION LIMIT n); ${each}`;
  return `close idle clients or raise max_connections on the server; ${each}`;
}

/** The database a PostgreSQL URL names, for messages. */
export function databaseOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
  } catch {
    return 'the database';
  }
}

function userOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username) || 'the default user';
  } catch {
    return 'the user';
  }
}

/** What brings a store's schema up to this opsdeck: README's "Upgrading a shared PostgreSQL store". */
const UPGRADE_ADVICE = 'stop the workers and run opsdeck migrate with this --db (see Upgrading in the README)';

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  if ('code' in err && typeof err.code === 'string') return err.code;
  // Node reports a refused dual-stack connect as an AggregateError of one error per address.
  if ('errors' in err && Array.isArray(err.errors)) {
    for (const inner of err.errors) {
      const code = codeOf(inner);
      if (code) return code;
    }
  }
  return undefined;
}

/** Where in the server the error was raised (pg's `routine`): the same in every language the server speaks. */
function routineOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'routine' in err && typeof err.routine === 'string' ? err.routine : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * pg's own limit on waiting for an answer (query_timeout) ran out: the statement may still run, or the
 * connection may be gone without a word. Null for any other error.
 */
export function noAnswerError(err: unknown, url: string, timeoutMs: number): StoreError | null {
  if (!(err instanceof Error) || err.message !== 'Query read timeout') return null;
  return new StoreError(
    'unavailable',
    `PostgreSQL at ${serverOf(url)} did not answer within ${Math.round(timeoutMs / 1000)} s`,
    'check the network to the server, or what holds a lock on its tables; opsdeck drops that connection and takes a new one',
    { cause: err, transient: true },
  );
}

/** The table or view a "permission denied for table NAME" names, or null when it names something else. */
export function deniedTable(err: unknown): string | null {
  if (codeOf(err) !== '42501') return null;
  return /permission denied for (?:table|view) "?([A-Za-z0-9_$]+)"?/i.exec(messageOf(err))?.[1] ?? null;
}

/** What the server told of the role when it refused: who it is, and whether it may read the table refused (null: not asked). */
export interface DeniedRole {
  role: string | null;
  reads: boolean | null;
}

/**
 * The role opsdeck connects as lacks a privilege (SQLSTATE 42501): a store error the operator acts on by
 * granting it, or by connecting as the role the workers use; never an unexpected failure of the call that
 * met it. Null for any other error.
 */
export function privilegeError(err: unknown, url: string, denied: DeniedRole = { role: null, reads: null }): StoreError | null {
  if (codeOf(err) !== '42501') return null;
  const message = messageOf(err);
  const grantee = denied.role ?? userOf(url);
  const who = `the PostgreSQL role ${grantee}`;
  if (routineOf(err) === 'CheckMyDatabase') {
    return new StoreError('permission', `${who} may not connect to database ${databaseOf(url)} at ${serverOf(url)} (${message})`, `grant it (GRANT CONNECT ON DATABASE ${databaseOf(url)} TO ${grantee}), or use the role opsdeck's workers use`, { cause: err });
  }
  if (/permission denied for database/i.test(message)) {
    // Otherwise creating the schema needs the database's CREATE: a store's first migration.
    return new StoreError('permission', `${who} may not create opsdeck's schema jobs in database ${databaseOf(url)} at ${serverOf(url)} (${message})`, `grant it (GRANT CREATE ON DATABASE ${databaseOf(url)} TO ${grantee}), or run opsdeck migrate once as the database's owner`, { cause: err });
  }
  const grant = (what: string) => `grant it as the schema's owner (${what} TO ${grantee}), or use the role opsdeck's workers use`;
  const table = deniedTable(err);
  if (table !== null) {
    // Whether it may read the table was asked of the server once refused (PgDb.failure); unasked, both are named.
    const what = denied.reads === true ? `may read but not write table jobs.${table}` : denied.reads === false ? `may not read table jobs.${table}` : `may not read or write table jobs.${table}`;
    const privileges = denied.reads === true ? 'INSERT, UPDATE, DELETE' : 'SELECT, INSERT, UPDATE, DELETE';
    return new StoreError('permission', `${who} ${what} (${message})`, grant(`GRANT ${privileges} ON ALL TABLES IN SCHEMA jobs`), { cause: err });
  }
  if (/permission denied for schema/i.test(message)) {
    return new StoreError('permission', `${who} may not use the schema jobs (${message})`, grant('GRANT USAGE ON SCHEMA jobs'), { cause: err });
  }
  if (/permission denied for sequence/i.test(message)) {
    return new StoreError('permission', `${who} may not use a sequence of opsdeck's (${message})`, grant('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA jobs'), { cause: err });
  }
  if (/permission denied for function|permission denied for procedure/i.test(message)) {
    return new StoreError('permission', `${who} may not call a function of opsdeck's (${message})`, grant('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA jobs'), { cause: err });
  }
  return new StoreError('permission', `${who} may not do what opsdeck asked in database ${databaseOf(url)} at ${serverOf(url)} (${message})`, "grant it as the schema's owner, or use the role opsdeck's workers use", { cause: err });
}

/**
 * A statement of opsdeck's named a column or a table of jobs.* the database lacks: every statement of the
 * store's is opsdeck's own, so either a migration of this opsdeck's is not applied there yet (a command that
 * only reads does not migrate), or the schema was changed by hand, or opsdeck has a bug. Which of them is
 * told by the migrations the database records (schemaGapError).
 */
export function isSchemaGap(err: unknown): boolean {
  const code = codeOf(err);
  return code === '42703' || (code === '42P01' && /"jobs\./.test(messageOf(err)));
}

/**
 * A schema gap (isSchemaGap) in the words of what the database records: `migrations`, its applied ones and
 * this opsdeck's still to apply there, or null when they could not be read. Only a store that really is
 * behind is told to migrate: a gap in a schema whose migrations are all applied would not be closed by it.
 */
export function schemaGapError(err: unknown, url: string, migrations: { applied: number; pending: number } | null): StoreError {
  const gap = `the database ${databaseOf(url)} on ${serverOf(url)} lacks part of opsdeck's schema (${messageOf(err)})`;
  if (migrations === null) {
    return new StoreError('unavailable', `${gap}, and which of opsdeck's migrations it has could not be read`, 'see opsdeck health-check migrations with this --db', { cause: err });
  }
  if (migrations.applied === 0) {
    // The schema jobs was renamed or dropped since the store opened, or never made (opened without migrating).
    return new StoreError('unavailable', `the database ${databaseOf(url)} on ${serverOf(url)} lacks opsdeck's schema (${messageOf(err)}): no migration of opsdeck's is recorded there`, UPGRADE_ADVICE, { cause: err });
  }
  if (migrations.pending > 0) {
    return new SchemaBehindError(migrations, `${gap}: the store's schema is ${migrations.pending} migration(s) behind this opsdeck`, `${UPGRADE_ADVICE}, or use the opsdeck version the workers run`, { cause: err });
  }
  return new StoreError(
    'unavailable',
    `${gap}, though all ${migrations.applied} of this opsdeck's migrations are applied there: the schema was changed by hand (a column or table dropped), or this is a bug of opsdeck's`,
    "opsdeck migrate does not put it back: restore the schema from a backup, or report it with the statement's error",
    { cause: err },
  );
}

/**
 * Failures of the connection itself (not of a statement): those become StoreErrors an operator can act
 * on; anything else (a constraint, a bug in a query) is returned as null and rethrown as it is.
 * `poolMax` is this process's pool size, named when the server runs out of connections.
 */
export function connectionError(err: unknown, url: string, timeoutMs: number, poolMax = DEFAULT_PG_POOL_MAX, connected = poolMax): StoreError | null {
  if (err instanceof StoreError) return err;
  const code = codeOf(err);
  const message = messageOf(err);
  const server = serverOf(url);
  switch (code) {
    case 'ECONNREFUSED':
      return new StoreError('unreachable', `cannot reach PostgreSQL at ${server}: connection refused`, 'is the server running?', { cause: err, transient: true });
    case 'ENOTFOUND':
      return new StoreError('unreachable', `cannot reach PostgreSQL at ${server}: host not found`, 'check the host name in the URL', { cause: err });
    case 'EAI_AGAIN':
      // The resolver could not answer for now (a DNS server down or slow): the name itself may be right.
      return new StoreError('unreachable', `cannot reach PostgreSQL at ${server}: its host name could not be looked up for now`, 'check the DNS servers of this machine; opsdeck looks it up again on the next request', { cause: err, transient: true });
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StoreError('unreachable', `cannot reach PostgreSQL at ${server}: no route or no answer`, 'check the host, the port and any firewall', { cause: err, transient: true });
    case 'ECONNRESET':
    case 'EPIPE':
      return new StoreError('unavailable', `the connection to PostgreSQL at ${server} was cut`, 'check that the server is up; opsdeck reconnects on the next request', { cause: err, transient: true });
    case '28P01':
    case '28000':
      return new StoreError('auth', `PostgreSQL at ${server} refused ${userOf(url)}: ${message}`, 'check the user and password in the URL (or PGPASSWORD)', { cause: err });
    case '3D000':
      return new StoreError('no_database', `database "${databaseOf(url)}" does not exist on ${server}`, `create it (createdb ${databaseOf(url)}) or fix the URL`, { cause: err });
    case '57P01':
      // The same code for a server shutting down and for one connection ended by an administrator
      // (pg_terminate_backend): the message says which, the wording must not guess.
      return new StoreError('unavailable', `PostgreSQL at ${server} closed a connection to database "${databaseOf(url)}": ${message}`, 'the server is shutting down or an administrator ended the connection; opsdeck reconnects by itself', { cause: err, transient: true });
    case '57P02':
    case '57P03':
      return new StoreError('unavailable', `PostgreSQL at ${server} is shutting down or starting up: ${message}`, 'wait for the server to be ready; opsdeck reconnects by itself', { cause: err, transient: true });
    case '55000':
      // 55000 is any object in the wrong state; only the check of the database at connection start
      // (CheckMyDatabase) means it is closed to connections.
      if (routineOf(err) !== 'CheckMyDatabase' && !/not currently accepting connections/i.test(message)) break;
      return new StoreError('unavailable', `database "${databaseOf(url)}" on ${server} is not accepting connections`, 'an administrator closed it (ALLOW_CONNECTIONS false) or it is being dropped; opsdeck reconnects once it is open again', { cause: err, transient: true });
    case '25006':
      // Writes refused by a server that is (now) a standby: after a failover, opsdeck is pointed at the old primary.
      return new StoreError('unavailable', `PostgreSQL at ${server} is read-only: ${message}`, 'it is a standby (after a failover?); point opsdeck at the primary', { cause: err });
    case '57014':
      return new StoreError('unavailable', `PostgreSQL at ${server} cancelled the statement: ${message}`, "a statement_timeout set for opsdeck's user or database, or an administrator cancelled it; try again", { cause: err, transient: true });
    case '40001':
    case '40P01':
      // The statement was rolled back whole, and another try finds the way clear (PgDb retries a deadlock's
      // victim a few times itself first): not the store refusing what it was given.
      return new StoreError('unavailable', `PostgreSQL at ${server} rolled back a statement: ${message}`, 'another writer held the same rows; try again', { cause: err, transient: true });
    case '53300':
      return new StoreError('unavailable', `PostgreSQL at ${server} is not accepting connections: ${message}`, tooManyHint(message, poolMax), { cause: err });
  }
  if ((code === '42P01' || code === '3F000' || code === '42883') && /jobs/.test(message)) {
    return new StoreError('unavailable', `the database ${databaseOf(url)} on ${server} lacks opsdeck's schema (${message})`, 'run opsdeck migrate with this --db, or open it once with migrations on', { cause: err });
  }
  if (code?.startsWith('08')) {
    return new StoreError('unavailable', `lost the connection to PostgreSQL at ${server}: ${message}`, 'check that the server is up; opsdeck reconnects on the next request', { cause: err, transient: true });
  }
  if (message === 'timeout exceeded when trying to connect' && connected < poolMax) {
    // pg-pool says the same when its pool is full of connections still trying to reach the server: then
    // the server is what does not answer, not a pool held busy.
    return new StoreError('unreachable', `cannot reach PostgreSQL at ${server}: no connection within ${Math.round(timeoutMs / 1000)} s`, 'check the host, the port and any firewall', { cause: err, transient: true });
  }
  if (message === 'timeout exceeded when trying to connect') {
    // pg-pool's own words when a caller waited that long for a connection of a full pool: the server may
    // answer well, this process holds every connection it may.
    return new StoreError(
      'unavailable',
      `all ${poolMax} connections of this process's pool to PostgreSQL at ${server} stayed busy for ${Math.round(timeoutMs / 1000)} s`,
      `its statements hold them that long (a lock held elsewhere?), or the pool is too small for this load (${PG_POOL_MAX_ENV} sets it)`,
      { cause: err, transient: true },
    );
  }
  if (/timeout/i.test(message) && /connect/i.test(message) || message === 'timeout expired') {
    return new StoreError('unreachable', `cannot reach PostgreSQL at ${server}: no answer within ${Math.round(timeoutMs / 1000)} s`, 'check the host, the port and any firewall', { cause: err, transient: true });
  }
  if (/SASL|password must be a string|password authentication/i.test(message)) {
    return new StoreError('auth', `PostgreSQL at ${server} wants a password for ${userOf(url)}`, 'put it in the URL or in PGPASSWORD', { cause: err });
  }
  if (/Connection terminated|Client has encountered a connection error|not queryable/i.test(message)) {
    return new StoreError('unavailable', `lost the connection to PostgreSQL at ${server}`, 'check that the server is up; opsdeck reconnects on the next request', { cause: err, transient: true });
  }
  return null;
}
