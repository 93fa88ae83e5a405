import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { z } from 'zod';
import { createTestDatabase, withClient, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const Report = z.object({ ok: z.boolean(), checks: z.array(z.object({ name: z.string(), ok: z.boolean(), warning: z.boolean().optional(), detail: z.string() })) });

/**
 * `opsdeck health-check store` on a database where the server refuses new connections ("too many
 * connections for database"): an ordinary role, as opsdeck's would be (a superuser is held to no database's
 * limit), on a database whose CONNECTION LIMIT its other clients have all but used up.
 */
describe('health-check store on a PostgreSQL database at its connection limit', () => {
  let db: TestDatabase;
  let url: string;
  let name: string;
  const role = `opsdeck_t_role_${randomBytes(4).toString('hex')}`;

  before(async () => {
    db = await createTestDatabase();
    name = new URL(db.url).pathname.slice(1);
    await withClient(db.url, async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN`);
      await c.query(`ALTER DATABASE ${name} OWNER TO ${role}`);
    });
    const u = new URL(db.url);
    u.username = role;
    url = u.toString();
    ok(await opsdeck(['migrate', '--db', url]));
  });

  after(async () => {
    await db.drop();
    await withClient(db.url.replace(`/${name}`, '/postgres'), (c) => c.query(`DROP ROLE IF EXISTS ${role}`));
  });

  it('passes with the numbers while there is room, and fails naming the limit once the check holds the last connection', { timeout: 60_000 }, async () => {
    const roomy = Report.parse(JSON.parse(ok(await opsdeck(['health-check', 'store', '--db', url, '--json']))));
    const [fine] = roomy.checks;
    assert.equal(fine?.ok, true, fine?.detail);
    assert.equal(fine?.warning, undefined, fine?.detail);
    assert.match(fine?.detail ?? '', /this command's own pool: \d+ of 8 connections in use, 0 callers waiting/);

    await withClient(db.url, (c) => c.query(`ALTER DATABASE ${name} CONNECTION LIMIT 3`));
    const others = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
    try {
      for (const other of others) await other.connect();
      const run = await opsdeck(['health-check', 'store', '--db', url, '--json']);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      const [store] = Report.parse(JSON.parse(run.stdout)).checks;
      assert.equal(store?.name, 'store');
      assert.equal(store?.ok, false, store?.detail);
      assert.match(store?.detail ?? '', new RegExp(`3 of 3 connections to database "${name}" in use \\(its CONNECTION LIMIT\\)`));
      assert.match(store?.detail ?? '', /new connections are refused/);
    } finally {
      for (const other of others) await other.end().catch(() => undefined);
    }
  });
});
