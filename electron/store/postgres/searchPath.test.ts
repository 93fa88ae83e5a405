import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openPostgresStore } from './open.ts';
import { createTestDatabase, withClient } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';

/**
 * Migration 0012 puts `jobs` at the end of the database's default search_path, so runbook 001's
 * unqualified `FROM dead_letter_queue` runs in a plain psql session, without touching any other schema.
 */
async function showPath(url: string): Promise<string> {
  return withClient(url, async (c) => String((await c.query('SHOW search_path')).rows[0]?.search_path));
}

function asUser(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
}

describe('the runbook search_path (postgres migration 0012)', () => {
  let db: TestDatabase;
  const role = `opsdeck_t_role_${randomBytes(4).toString('hex')}`;

  before(async () => {
    db = await createTestDatabase();
  });

  after(async () => {
    await db?.drop();
  });

  it('extends a search_path the database already had, keeping its schemas first', async () => {
    const name = new URL(db.url).pathname.slice(1);
    await withClient(db.url, (c) => c.query(`ALTER DATABASE ${name} SET search_path TO "$user", public, app`));
    await (await openPostgresStore(db.url, { poolSize: 1 })).close();
    assert.equal(await showPath(db.url), '"$user", public, app, jobs');
    // Opening again migrates nothing and appends nothing twice.
    await (await openPostgresStore(db.url, { poolSize: 1 })).close();
    assert.equal(await showPath(db.url), '"$user", public, app, jobs');
  });

  it('a role that does not own the database sets the default for itself there instead', async () => {
    const other = await createTestDatabase();
    const name = new URL(other.url).pathname.slice(1);
    try {
      await withClient(other.url, async (c) => {
        await c.query(`CREATE ROLE ${role} LOGIN`);
        await c.query(`GRANT CREATE ON DATABASE ${name} TO ${role}`);
      });
      const url = asUser(other.url, role);
      await (await openPostgresStore(url, { poolSize: 1 })).close();
      assert.equal(await showPath(url), '"$user", public, jobs', 'the migrating role finds the runbook views');
      assert.equal(await showPath(other.url), '"$user", public', "another role's default is left as it was");
    } finally {
      await other.drop();
      await withClient(db.url, (c) => c.query(`DROP ROLE IF EXISTS ${role}`)).catch(() => undefined);
    }
  });
});
