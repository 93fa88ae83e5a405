import { expect, test } from './fixtures.ts';

test('on PostgreSQL: the registry schedule and an added one, next fires in both zones, fires linked to their jobs', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const name = `pg_every_second_${opsdeck.stamp}`;
  await opsdeck.open('/schedules');
  const table = page.getByRole('table', { name: 'Schedules' });
  await expect(table.getByRole('row').filter({ hasText: 'e2e_nightly' })).toContainText(/02:30:00\+0[12]:00/);

  const form = page.getByRole('form', { name: 'Add a schedule' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Service').selectOption('e2e_scheduled');
  await form.getByLabel('Cron').fill('* * * * * *');
  await form.getByLabel('Time zone').fill('Asia/Tokyo');
  await form.getByRole('button', { name: 'Add schedule' }).click();
  const row = table.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText(/\+09:00 · yours /);
  await expect(row.getByRole('link', { name: new RegExp(`^job \\d+ of ${name}$`) })).toBeVisible();

  await row.getByRole('button', { name: `Remove schedule ${name}` }).click();
  await row.getByRole('button', { name: `Confirm remove: schedule ${name}` }).click();
  await expect(table.getByRole('row').filter({ hasText: name })).toHaveCount(0);
});
