import { generateKey } from '../electron/api/apiKeys.ts';
import { openStore } from '../electron/store/open.ts';
import { expect, test } from './fixtures.ts';

test('create an API key in Settings, see it once, then revoke it', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const name = `e2e-${opsdeck.stamp}`;
  await opsdeck.open('/settings');
  const form = page.getByRole('form', { name: 'Create an API key' });
  await form.getByLabel('Key name').fill(name);
  await form.getByLabel('Scope').selectOption('operate');
  await form.getByRole('button', { name: 'Create key' }).click();
  const shown = page.getByLabel(`API key ${name}`, { exact: true });
  await expect(shown).toHaveText(/^odk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  const table = page.getByRole('table', { name: 'API keys' });
  const row = table.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('operate');
  await page.getByRole('button', { name: 'I have stored it' }).click();
  await expect(page.getByLabel(`API key ${name}`, { exact: true })).toHaveCount(0);
  await opsdeck.screenshot('settings-api-keys');

  await row.getByRole('button', { name: `Revoke API key ${name}` }).click();
  await row.getByRole('button', { name: `Confirm: revoke API key ${name}` }).click();
  await expect(table.getByRole('row').filter({ hasText: name })).toHaveCount(0);
});

// A key past its expiry is refused by the REST API (401); Settings marks it so, beside its date, until revoked.
test('an expired API key is marked expired in Settings', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const name = `e2e-expired-${opsdeck.stamp}`;
  // api-key create takes whole days: a key made a while ago whose time is up is written as the store keeps it.
  const store = await openStore(opsdeck.db, { migrate: false, mustExist: true });
  try {
    const actor = { user: 'e2e', host: 'test' };
    await store.createApiKey({ ...generateKey().stored, name, scope: 'read', expires_at: new Date(Date.now() - 3_600_000).toISOString() }, actor);
  } finally {
    await store.close();
  }
  await opsdeck.open('/settings');
  const row = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: name });
  await expect(row.getByText('expired', { exact: true })).toBeVisible();
  await row.getByRole('button', { name: `Revoke API key ${name}` }).click();
  await row.getByRole('button', { name: `Confirm: revoke API key ${name}` }).click();
  await expect(page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: name })).toHaveCount(0);
});
