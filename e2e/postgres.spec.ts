import { expect, test } from './fixtures.ts';

test('on PostgreSQL: dead letters retried from the console complete, and an emergency stop shows everywhere', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.upstream(false);
  for (let i = 0; i < 2; i++) await opsdeck.enqueue('e2e_upstream', { identifier: `pg-${opsdeck.stamp}-${i}` });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_upstream', status: ['failed'], unresolved: true })).length).toBe(2);
  await opsdeck.upstream(true);

  await opsdeck.open('/dlq');
  const group = page.getByRole('row').filter({ hasText: 'e2e_upstream' });
  await group.getByRole('button', { name: /^Retry group/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Retry this group' });
  await expect(dialog).toContainText('This will retry 2 jobs.');
  await dialog.getByRole('button', { name: 'Retry 2 jobs' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('Retried 2 jobs');
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_upstream', status: ['completed'] })).length).toBe(2);

  await opsdeck.open('/settings');
  await expect(page.getByText('PostgreSQL', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Emergency stop', exact: true }).click();
  const banner = page.getByRole('region', { name: 'Emergency stop engaged' });
  await expect(banner).toBeVisible();
  await opsdeck.screenshot('postgres');
  await banner.getByRole('button', { name: 'Resume' }).click();
  await page.getByRole('dialog', { name: 'Resume dispatch?' }).getByRole('button', { name: 'Resume dispatch' }).click();
  await expect(banner).toHaveCount(0);
});
