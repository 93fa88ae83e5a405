import { expect, test } from '@playwright/test';
import pg from 'pg';
import { createTestDatabase } from '../electron/store/testing/pgTestDb.ts';
import { startConsole } from './support/serve.ts';

// Its own console and database: the schema is taken away under it, as when a newer build's migration has
// not been run on the database yet, or a restore left it out.
test("on PostgreSQL: a store without opsdeck's schema says to migrate, promises no recovery by itself, and goes once the schema is back", async ({ page }) => {
  const database = await createTestDatabase({ migrated: true });
  const opsdeck = await startConsole({ db: database.url });
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    await page.goto(opsdeck.url);
    await expect(page.getByRole('navigation', { name: 'Pages' })).toBeVisible();
    await expect(page.getByText(/^live · updated /)).toBeVisible();
    await admin.query('ALTER SCHEMA jobs RENAME TO jobs_away');
    const banner = page.getByRole('alert').filter({ hasText: 'Store unavailable' });
    // The Overview keeps its last figures through the outage, but never calls them live.
    await expect(banner).toBeVisible();
    await expect(page.getByText(/^not live: figures from .*, before the store stopped answering$/)).toBeVisible();
    await expect(page.getByText(/^live · updated /)).toHaveCount(0);
    await page.goto(`${opsdeck.origin}/#/jobs`);
    await expect(banner).toContainText("lacks opsdeck's schema");
    await expect(banner).toContainText('What to do: stop the workers and run opsdeck migrate with this --db');
    await expect(banner).not.toContainText('clears by itself');
    await admin.query('ALTER SCHEMA jobs_away RENAME TO jobs');
    await expect(banner).toHaveCount(0);
  } finally {
    await admin.end();
    await opsdeck.stop();
    await database.drop();
  }
});
