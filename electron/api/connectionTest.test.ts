import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { calls } from '../../shared/contract.ts';
import { sqliteFileBehind } from '../store/testing/sqliteFileBehind.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';
import { ok } from './testing/responses.ts';

describe("Settings' test of a connection to an SQLite file that is not current", () => {
  let t: TestContext;
  let behind: Awaited<ReturnType<typeof sqliteFileBehind>>;
  before(async () => {
    t = await createTestContext();
    behind = await sqliteFileBehind(3);
  });
  after(async () => {
    await t.cleanup();
    await behind.done();
  });

  const test = async (url: string) => calls['settings.testConnection'].output.parse(ok(await dispatch('settings.testConnection', { url }, t.ctx)));

  it('a file an earlier opsdeck left: how far behind, in the CLI\'s words, and what Switch does, as a warning; the file is left as it was', async () => {
    const { path, total } = behind;
    const answer = await test(path);
    assert.deepEqual(answer, {
      ok: true,
      warning: true,
      message: `the store at ${path} is 3 migration(s) behind this opsdeck (${total - 3} applied of ${total}), which Switch applies; stop the workers that use it and switch to it (see Upgrading in the README), or use the opsdeck version they run`,
    });
    const after = new Database(path, { readonly: true });
    try {
      assert.deepEqual(after.prepare('SELECT count(*) AS n FROM opsdeck_migrations').get(), { n: total - 3 }, 'testing migrates nothing');
    } finally {
      after.close();
    }
  });

  it('an empty file: switching makes the store there', async () => {
    const path = join(dirname(behind.path), 'empty.db');
    await writeFile(path, '');
    assert.deepEqual(await test(path), { ok: true, message: `no opsdeck store in ${path} yet; switching creates a new SQLite store there` });
  });
});
