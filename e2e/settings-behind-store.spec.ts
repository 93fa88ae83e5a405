import Database from 'better-sqlite3';
import { join } from 'node:path';
import { loadMigrations, migrate } from '../electron/store/migrate.ts';
import { sqliteMigrationAdapter } from '../electron/store/sqlite/migrations.ts';
import { earlierMigrations } from '../electron/store/testing/earlierMigrations.ts';
import { expect, test } from './fixtures.ts';

test('Settings, Test on an SQLite file an earlier opsdeck left: how far behind it is and what to do, in the CLI\'s words, not a raw SQL error', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const total = (await loadMigrations('sqlite')).length;
  const earlier = await earlierMigrations('sqlite', total - 3);
  const path = join(earlier.dir, 'older.db');
  try {
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      await migrate(sqliteMigrationAdapter(db, path), earlier.migrations);
    } finally {
      db.close();
    }
    await opsdeck.open('/settings');
    await page.getByLabel('Store URL or SQLite file').fill(path);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const said = page.locator('.callout[role="status"]');
    await expect(said).toHaveText(
      `the store at ${path} is 3 migration(s) behind this opsdeck (${total - 3} applied of ${total}), which Switch applies; stop the workers that use it and switch to it (see Upgrading in the README), or use the opsdeck version they run`,
    );
    await expect(said).toHaveClass(/callout-warn/);
    await opsdeck.screenshot('settings-behind-store');
  } finally {
    await earlier.done();
  }
});
