import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadMigrations } from '../migrate.ts';
import { openPostgresStore } from '../postgres/open.ts';
import { createTestDatabase, nameTemplate, resetTestDatabase, withClient } from './pgTestDb.ts';

const helper = fileURLToPath(new URL('./pgTestDb.ts', import.meta.url));

/** A child process that creates a database, uses it, drops it, and prints what it saw. */
const SCRIPT = `
import pg from 'pg';
import { createTestDatabase } from ${JSON.stringify(helper)};
const db = await createTestDatabase();
const client = new pg.Client({ connectionString: db.url });
await client.connect();
const { rows } = await client.query('SELECT current_database() AS name, current_setting(\\'server_version_num\\') AS version');
await client.end();
await db.drop();
console.log(JSON.stringify({ url: db.url, ...rows[0] }));
`;

function postgresOnPort(port: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => /postgres -D \S*opsdeck-pg-/.test(line) && line.includes(` -p ${port} `));
}

describe('createTestDatabase', () => {
  it('starts a private embedded cluster when no server answers, and stops it when the process exits', async () => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
      env: { ...process.env, OPSDECK_TEST_PG_URL: 'postgres://postgres@127.0.0.1:1/test' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(child.status, 0, child.stderr);
    const seen: unknown = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}');
    assert.ok(typeof seen === 'object' && seen !== null && 'url' in seen && 'name' in seen);
    assert.match(String(seen.url), /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/opsdeck_t_[0-9a-z]{8}[0-9a-f]{8}$/);
    assert.doesNotMatch(String(seen.url), /:1\//, 'not the unreachable server');
    assert.equal(String(seen.url).split('/').at(-1), seen.name);
    const port = new URL(String(seen.url)).port;
    // The child's exit hook signals the cluster; give the postmaster a moment to finish its own exit.
    for (let i = 0; i < 50 && postgresOnPort(port).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(postgresOnPort(port), [], 'the embedded cluster is gone with its process');
  });

  it('a migrated database has every migration of this checkout applied, and is a copy of its own', async () => {
    const [a, b, empty] = await Promise.all([createTestDatabase({ migrated: true }), createTestDatabase({ migrated: true }), createTestDatabase()]);
    try {
      const versions = (await loadMigrations('postgres')).map((m) => m.version);
      for (const db of [a, b]) {
        const applied = await withClient(db.url, (c) => c.query<{ version: number }>('SELECT version FROM jobs.opsdeck_migrations ORDER BY version'));
        assert.deepEqual(applied.rows.map((r) => r.version), versions);
      }
      const store = await openPostgresStore(a.url, { existing: true });
      try {
        assert.equal((await store.migrationStatus()).current, true);
        await store.enqueue([{ queue: 'q', service_name: 'only_in_a', execution_type: 'noop', max_attempts: 1 }]);
      } finally {
        await store.close();
      }
      const jobsIn = async (url: string) => (await withClient(url, (c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs.tb_job_run'))).rows[0]?.n;
      assert.deepEqual([await jobsIn(a.url), await jobsIn(b.url)], [1, 0], 'a job written in one copy is not in another');
      const schemas = await withClient(empty.url, (c) => c.query("SELECT 1 FROM pg_namespace WHERE nspname = 'jobs'"));
      assert.equal(schemas.rows.length, 0, 'without migrated, the database is empty');
      // What a migration sets on its database, not in it (the runbooks' search_path), the copy has too.
      await (await openPostgresStore(empty.url)).close();
      const path = async (url: string) => (await withClient(url, (c) => c.query<{ path: string }>("SELECT current_setting('search_path') AS path"))).rows[0]?.path;
      assert.equal(await path(a.url), await path(empty.url));
    } finally {
      await Promise.all([a.drop(), b.drop(), empty.drop()]);
    }
  });

  it('a template another process named first is used, and the build that lost the race is dropped', async () => {
    const [built, theirs] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      const adminUrl = built.url.replace(/\/[^/]+$/, '/postgres');
      const names = () => withClient(adminUrl, (c) => c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [[built.name, theirs.name]]));
      await withClient(adminUrl, (c) => nameTemplate(c, built.name, theirs.name));
      assert.deepEqual((await names()).rows.map((r) => r.datname), [theirs.name], 'the other copy stays; this build is gone');
      await assert.rejects(
        withClient(adminUrl, (c) => nameTemplate(c, built.name, theirs.name)),
        /does not exist/,
        'any other failure is still told',
      );
    } finally {
      await built.drop();
      await theirs.drop();
    }
  });

  it('a reset leaves a store as new: no rows, ids from 1 again, no stop engaged', async () => {
    const db = await createTestDatabase({ migrated: true });
    try {
      const actor = { user: 'tester', host: 'test-host' };
      const fill = async () => {
        const store = await openPostgresStore(db.url, { existing: true });
        try {
          const made = await store.enqueue([{ queue: 'q', service_name: 'svc', execution_type: 'noop', max_attempts: 1 }]);
          await store.setEmergencyStop(true, actor, 'before the reset');
          return made[0]?.id;
        } finally {
          await store.close();
        }
      };
      assert.equal(await fill(), 1);
      await resetTestDatabase(db.url);
      const left = await withClient(db.url, (c) =>
        c.query<{ jobs: number; audit: number; stopped: boolean }>(
          'SELECT (SELECT count(*)::int FROM jobs.tb_job_run) AS jobs, (SELECT count(*)::int FROM jobs.tb_audit_log) AS audit, (SELECT emergency_stop FROM jobs.tb_control) AS stopped',
        ),
      );
      assert.deepEqual(left.rows[0], { jobs: 0, audit: 0, stopped: false });
      assert.equal(await fill(), 1, 'the first job after a reset is job 1 again');
    } finally {
      await db.drop();
    }
  });
});
