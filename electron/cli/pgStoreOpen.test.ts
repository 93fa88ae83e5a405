import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { dispatch } from '../api/dispatch.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';
import { createRuntime } from '../api/runtime.ts';
import { loadMigrations, migrate } from '../store/migrate.ts';
import { PgDb } from '../store/postgres/db.ts';
import { postgresMigrationAdapter } from '../store/postgres/migrations.ts';
import { earlierMigrations } from '../store/testing/earlierMigrations.ts';
import { createTestDatabase, withClient, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const Report = z.object({ ok: z.boolean(), checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })) });

/** What the schema jobs holds, and the database's default search_path: what a command must leave as it found. */
async function footprint(url: string): Promise<{ relations: string[]; searchPath: string | null }> {
  return withClient(url, async (c) => {
    const relations = (await c.query<{ name: string }>(`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'jobs' AND c.relkind IN ('r', 'v') ORDER BY 1`)).rows.map((r) => r.name);
    const setting = (await c.query<{ c: string }>(`SELECT c FROM pg_db_role_setting s, unnest(s.setconfig) AS c WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()) AND c LIKE 'search_path=%'`)).rows[0];
    return { relations, searchPath: setting?.c ?? null };
  });
}

function asRole(url: string, role: string): string {
  const u = new URL(url);
  u.username = role;
  u.password = '';
  return u.toString();
}

/**
 * A command pointed at a PostgreSQL database, as a runbook's first step points it at $DATABASE_URL: one that
 * only reads or controls a store opens it as it is (no migration, no schema made, no search_path changed), a
 * database without opsdeck's schema is refused in the words of SQLite's missing file, and another
 * application's schema `jobs` is refused by every command, a worker's too.
 */
describe('opening a PostgreSQL store from the CLI', () => {
  let db: TestDatabase;
  let dir: string;
  let registry: string;
  const where = () => new RegExp(`database ${db.name} at 127\\.0\\.0\\.1:5432`);

  before(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'opsdeck-pgopen-'));
    registry = join(dir, 'registry.yaml');
    writeFileSync(registry, 'services:\n  - name: greeter\n    execution_type: noop\n');
  });

  after(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a database without a store from every read or control command, and writes nothing into it', { timeout: 120_000 }, async () => {
    const before = await footprint(db.url);
    const commands = [['health-check', 'database'], ['status'], ['breaker', 'list'], ['emergency-stop', '--reason', 'walkthrough'], ['dlq', 'list'], ['alerts', 'list'], ['api-key', 'list']];
    for (const args of commands) {
      const run = await opsdeck([...args, '--db', db.url]);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      const said = run.stdout + run.stderr;
      assert.match(said, /there is no opsdeck store in database/, args.join(' '));
      assert.match(said, where(), args.join(' '));
      assert.match(said, /no jobs\.opsdeck_migrations table; check the URL \(--db, OPSDECK_DB\); a worker, serve, enqueue or opsdeck migrate creates a new store/, args.join(' '));
    }
    assert.deepEqual(await footprint(db.url), before, 'no table made, the search_path as it was');
    // What creates a store still does: then the same commands answer from it.
    ok(await opsdeck(['migrate', '--db', db.url]));
    assert.match(ok(await opsdeck(['status', '--db', db.url])), /pending/);
  });

  it('warns a read command of a store behind this opsdeck, and leaves migrating to opsdeck migrate', { timeout: 60_000 }, async () => {
    const other = await createTestDatabase();
    try {
      ok(await opsdeck(['migrate', '--db', other.url]));
      // As if this build's newest migration had not run there yet.
      const newest = await withClient(other.url, async (c) => (await c.query<{ v: number }>('DELETE FROM jobs.opsdeck_migrations WHERE version = (SELECT max(version) FROM jobs.opsdeck_migrations) RETURNING version AS v')).rows[0]?.v);
      const status = await opsdeck(['status', '--db', other.url]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stderr, /warning: the store at \S+ is 1 migration\(s\) behind this opsdeck, which a command does not apply: stop the workers and run opsdeck migrate/);
      const health = await opsdeck(['health-check', 'migrations', '--db', other.url]);
      assert.equal(health.code, 1);
      assert.match(health.stdout, /migrations\s+FAIL\s+\d+ applied, 1 pending: run opsdeck migrate/);
      const still = await withClient(other.url, async (c) => (await c.query('SELECT 1 FROM jobs.opsdeck_migrations WHERE version = $1', [newest])).rowCount);
      assert.equal(still, 0, 'neither command migrated the store');
    } finally {
      await other.drop();
    }
  });

  it('a store an earlier opsdeck migrated: a read command lacking a column says to migrate, and health-check says how far behind and skips the rest', { timeout: 60_000 }, async () => {
    const older = await createTestDatabase();
    // Migrated as the opsdeck before the worker names (0041) left it: its columns, and the later ones, are not there.
    const total = (await loadMigrations('postgres')).length;
    const upTo = 40;
    const pending = total - upTo;
    const earlier = await earlierMigrations('postgres', upTo);
    try {
      const db = new PgDb(older.url, 2);
      try {
        await migrate(postgresMigrationAdapter(db), earlier.migrations);
      } finally {
        await db.close();
      }
      const behind = new RegExp(`lacks part of opsdeck's schema \\(column "[a-z_]+" does not exist\\): the store's schema is ${pending} migration\\(s\\) behind this opsdeck; stop the workers and run opsdeck migrate with this --db \\(see Upgrading in the README\\)`);
      for (const args of [['status'], ['workers']]) {
        const run = await opsdeck([...args, '--db', older.url]);
        assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
        assert.match(run.stderr, new RegExp(`${pending} migration\\(s\\) behind this opsdeck, which a command does not apply`), args.join(' '));
        assert.match(run.stderr, behind, args.join(' '));
        assert.doesNotMatch(run.stderr, /failed unexpectedly/, args.join(' '));
      }
      const health = await opsdeck(['health-check', '--db', older.url]);
      assert.equal(health.code, 1, health.stderr);
      assert.match(health.stdout, new RegExp(`store\\s+FAIL\\s+the database ${older.name} on 127\\.0\\.0\\.1:5432 ${behind.source}`));
      assert.match(health.stdout, new RegExp(`migrations\\s+FAIL\\s+${upTo} applied, ${pending} pending: run opsdeck migrate`));
      // The store answered: the checks it could not make were skipped for its schema, not for an outage.
      for (const check of ['workers', 'dispatch', 'breakers', 'workflows', 'scheduler', 'alerts']) {
        assert.match(health.stdout, new RegExp(`${check}\\s+FAIL\\s+skipped: the store's schema is ${pending} migration\\(s\\) behind this opsdeck \\(run opsdeck migrate\\)`), check);
      }
      assert.doesNotMatch(health.stdout, /does not answer/);
      ok(await opsdeck(['migrate', '--db', older.url]));
      assert.equal((await opsdeck(['status', '--db', older.url])).code, 0);
    } finally {
      await earlier.done();
      await older.drop();
    }
  });

  it('a column of opsdeck\'s dropped by hand from a store whose migrations are all applied is named as it is, not as a schema behind', { timeout: 60_000 }, async () => {
    const damaged = await createTestDatabase();
    try {
      ok(await opsdeck(['migrate', '--db', damaged.url]));
      const total = (await loadMigrations('postgres')).length;
      await withClient(damaged.url, (c) => c.query('ALTER TABLE jobs.tb_control DROP COLUMN drain_by'));
      const gap = new RegExp(`the database ${damaged.name} on 127\\.0\\.0\\.1:5432 lacks part of opsdeck's schema \\(column "drain_by" does not exist\\), though all ${total} of this opsdeck's migrations are applied there: the schema was changed by hand \\(a column or table dropped\\), or this is a bug of opsdeck's; opsdeck migrate does not put it back`);
      const status = await opsdeck(['status', '--db', damaged.url]);
      assert.equal(status.code, 1, status.stdout);
      assert.match(status.stderr, gap);
      assert.doesNotMatch(status.stderr, /behind/);
      const health = await opsdeck(['health-check', '--db', damaged.url]);
      assert.equal(health.code, 1, health.stderr);
      assert.match(health.stdout, new RegExp(`store\\s+FAIL\\s+${gap.source}`));
      assert.match(health.stdout, new RegExp(`migrations\\s+ok\\s+${total} applied, current`));
      assert.match(health.stdout, /scheduler\s+FAIL\s+cannot tell: the store answered, but not its first read \(see the store check\)/);
      assert.doesNotMatch(health.stdout, /behind|does not answer/);
    } finally {
      await damaged.drop();
    }
  });

  it("refuses another application's schema jobs from every command, a worker and migrate too, naming what it holds", { timeout: 120_000 }, async () => {
    const app = await createTestDatabase();
    try {
      await withClient(app.url, (c) => c.query('CREATE SCHEMA jobs; CREATE TABLE jobs.orders (id int); CREATE TABLE jobs.customers (id int)'));
      const before = await footprint(app.url);
      for (const args of [['status'], ['health-check'], ['migrate'], ['enqueue', 'greeter', '--registry', registry], ['worker', '--until-empty', '--registry', registry]]) {
        const run = await opsdeck([...args, '--db', app.url]);
        assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
        assert.match(run.stdout + run.stderr, new RegExp(`the schema jobs in database ${app.name} at 127\\.0\\.0\\.1:5432 is not opsdeck's: it holds 2 table\\(s\\), view\\(s\\) or function\\(s\\) \\(jobs\\.customers, jobs\\.orders\\) and no jobs\\.opsdeck_migrations; opsdeck writes nothing there`), args.join(' '));
      }
      assert.deepEqual(await footprint(app.url), before, "nothing added to the other application's schema");
    } finally {
      await app.drop();
    }
  });

  it('builds into an empty schema jobs a DBA made for it', { timeout: 60_000 }, async () => {
    const made = await createTestDatabase();
    try {
      await withClient(made.url, (c) => c.query('CREATE SCHEMA jobs'));
      ok(await opsdeck(['migrate', '--db', made.url]));
      assert.ok((await footprint(made.url)).relations.includes('tb_job_run'));
    } finally {
      await made.drop();
    }
  });

  it('says DATABASE_URL is not read, once, and the worker names its store and registry at start', { timeout: 90_000 }, async () => {
    const data = join(dir, 'data');
    const env = { DATABASE_URL: db.url, XDG_DATA_HOME: data, HOME: dir };
    const fallback = join(data, 'opsdeck', 'opsdeck.db');
    const status = await opsdeck(['status'], env);
    assert.equal(status.code, 1);
    const notice = `DATABASE_URL is set but opsdeck reads its store from --db or OPSDECK_DB; using ${fallback}`;
    assert.equal(status.stderr.split(notice).length - 1, 1, status.stderr);
    assert.equal(status.stderr.split('DATABASE_URL is set but').length - 1, 1, `said once, not again in the error: ${status.stderr}`);
    assert.match(status.stderr, /there is no opsdeck store at \S+opsdeck\.db: the file does not exist; to use the database DATABASE_URL names, pass it as --db "\$DATABASE_URL"/);
    assert.equal(existsSync(fallback), false, 'a read command made no store');
    // Given a store, nothing is said of DATABASE_URL.
    const given = await opsdeck(['status', '--db', db.url], env);
    assert.doesNotMatch(given.stderr, /DATABASE_URL/);
    const password = `pw${randomBytes(4).toString('hex')}`;
    const withPassword = new URL(db.url);
    withPassword.password = password;
    const worker = await opsdeck(['worker', '--until-empty', '--registry', registry, '--db', withPassword.toString()], { ...env, PGPASSWORD: undefined });
    assert.equal(worker.code, 0, worker.stderr);
    const started = worker.stdout.split('\n').find((l) => l.includes('worker started'));
    assert.ok(started, worker.stdout);
    // The password masked: by the store's own location, and by the logger's secrets.
    assert.match(started, new RegExp(`"store":"postgres://postgres:(\\*\\*\\*|\\[redacted\\])@127\\.0\\.0\\.1:5432/${db.name}"`));
    assert.ok(started.includes(`"registry":"${registry}"`), started);
    assert.doesNotMatch(worker.stdout, new RegExp(password));
    // The default store, for want of --db: the start line says which.
    const fallbackWorker = await opsdeck(['worker', '--until-empty', '--registry', registry], env);
    assert.equal(fallbackWorker.code, 0, fallbackWorker.stderr);
    assert.match(fallbackWorker.stderr, new RegExp(notice.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.ok(fallbackWorker.stdout.split('\n').some((l) => l.includes('worker started') && l.includes(`"store":"${fallback}"`)), fallbackWorker.stdout);
  });
});

/**
 * During an outage the CLI's health-check gives the console's report: the store check fails, the checks that
 * need no store are made, the others say they cannot tell.
 */
describe('health-check while the PostgreSQL database is closed to connections', () => {
  let db: TestDatabase;
  let dir: string;

  before(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'opsdeck-pgdown-'));
    ok(await opsdeck(['migrate', '--db', db.url]));
  });

  after(async () => {
    await db?.allowConnections(true).catch(() => undefined);
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints every check, as the console lists them, with the store failing', { timeout: 60_000 }, async () => {
    const registry = join(dir, 'registry.yaml');
    writeFileSync(registry, 'services:\n  - name: greeter\n    execution_type: noop\n');
    const console = await createRuntime({ words: CONSOLE_WORDS, db: db.url, registryPath: registry, execute: false, env: {} });
    let consoleNames: string[];
    try {
      await db.allowConnections(false);
      const answered = await dispatch('health.check', {}, console.ctx);
      assert.ok(answered.ok, JSON.stringify(answered));
      consoleNames = Report.parse(answered.result).checks.map((c) => c.name);
    } finally {
      await console.close();
    }
    const table = await opsdeck(['health-check', '--db', db.url, '--registry', registry]);
    assert.equal(table.code, 1, table.stderr);
    assert.match(table.stdout, new RegExp(`store\\s+FAIL\\s+database "${db.name}" on 127\\.0\\.0\\.1:5432 is not accepting connections`));
    assert.match(table.stdout, /registry\s+ok\s+1 service\(s\) from/);
    assert.match(table.stdout, /runner:noop\s+ok/);
    assert.match(table.stdout, /scheduler\s+FAIL\s+cannot tell: the store does not answer/);
    const json = await opsdeck(['health-check', '--json', '--db', db.url, '--registry', registry]);
    assert.equal(json.code, 1);
    assert.deepEqual(Report.parse(JSON.parse(json.stdout)).checks.map((c) => c.name), consoleNames, "the console's checks, in its order");
    // A monitor on the runbook's worker:WATCHDOG reads the outage as one (exit 1), not as a name no check has (exit 2).
    const watchdog = await opsdeck(['health-check', 'worker:WATCHDOG', '--db', db.url]);
    assert.equal(watchdog.code, 1, watchdog.stderr);
    assert.match(watchdog.stdout, /worker:WATCHDOG\s+FAIL\s+cannot tell: the store does not answer/);
  });
});

/** A role that lacks privileges on the store: a store error naming the role, the table and the grant, never "failed unexpectedly". */
describe('a PostgreSQL role without the privileges opsdeck needs', () => {
  let db: TestDatabase;
  const suffix = randomBytes(4).toString('hex');
  const nobody = `opsdeck_t_nobody_${suffix}`;
  const reader = `opsdeck_t_reader_${suffix}`;

  before(async () => {
    db = await createTestDatabase();
    ok(await opsdeck(['migrate', '--db', db.url]));
    // A breaker to reset: the service's, forced open by a role that may.
    ok(await opsdeck(['enqueue', 'greeter', '--db', db.url]));
    ok(await opsdeck(['breaker', 'open', 'greeter', '--reason', 'setup', '--db', db.url]));
    await withClient(db.url, async (c) => {
      await c.query(`CREATE ROLE ${nobody} LOGIN`);
      await c.query(`CREATE ROLE ${reader} LOGIN`);
      await c.query(`GRANT USAGE ON SCHEMA jobs TO ${reader}`);
      await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA jobs TO ${reader}`);
    });
  });

  after(async () => {
    await db?.drop();
    await withClient(db.url.replace(`/${db.name}`, '/postgres'), async (c) => {
      await c.query(`DROP ROLE IF EXISTS ${nobody}`);
      await c.query(`DROP ROLE IF EXISTS ${reader}`);
    }).catch(() => undefined);
  });

  it('health-check still prints its report, failing the store check with the grant to make', { timeout: 60_000 }, async () => {
    const url = asRole(db.url, nobody);
    const table = await opsdeck(['health-check', '--db', url]);
    assert.equal(table.code, 1, table.stderr);
    assert.match(table.stdout, new RegExp(`store\\s+FAIL\\s+the PostgreSQL role ${nobody} may not use the schema jobs \\(permission denied for schema jobs\\); grant it as the schema's owner \\(GRANT USAGE ON SCHEMA jobs TO ${nobody}\\)`));
    assert.match(table.stdout, /registry\s+ok/);
    assert.match(table.stdout, /scheduler\s+FAIL\s+cannot tell/);
    const json = await opsdeck(['health-check', '--json', '--db', url]);
    assert.equal(json.code, 1);
    const report = Report.parse(JSON.parse(json.stdout));
    assert.equal(report.checks[0]?.name, 'store');
    assert.ok(report.checks.some((c) => c.name === 'runner:shell'));
    const status = await opsdeck(['status', '--db', url]);
    assert.equal(status.code, 1);
    assert.match(status.stderr, new RegExp(`the PostgreSQL role ${nobody} may not use the schema jobs`));
  });

  it('a role that may only read is told which table it may not write, for every control command', { timeout: 90_000 }, async () => {
    const url = asRole(db.url, reader);
    ok(await opsdeck(['status', '--db', url]));
    const cases: Array<[string[], string]> = [
      [['emergency-stop', '--reason', 'drill'], 'tb_control'],
      [['breaker', 'reset', 'greeter'], 'tb_breaker'],
      [['enqueue', 'greeter'], 'tb_job_run'],
    ];
    for (const [args, tableName] of cases) {
      const run = await opsdeck([...args, '--db', url]);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.doesNotMatch(run.stderr, /unexpectedly/, args.join(' '));
      assert.match(run.stderr, new RegExp(`the PostgreSQL role ${reader} may read but not write table jobs\\.${tableName} \\(permission denied for table ${tableName}\\); grant it as the schema's owner \\(GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA jobs TO ${reader}\\), or use the role opsdeck's workers use`), args.join(' '));
    }
  });
});
