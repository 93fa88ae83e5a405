import { sqliteFileBehind } from '../electron/store/testing/sqliteFileBehind.ts';
import { expect, test } from './fixtures.ts';

test('Settings, Test on an SQLite file an earlier opsdeck left: how far behind it is and what to do, in the CLI\'s words, not a raw SQL error', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const { path, total, done } = await sqliteFileBehind(3);
  try {
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
    await done();
  }
});
