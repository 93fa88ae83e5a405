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
