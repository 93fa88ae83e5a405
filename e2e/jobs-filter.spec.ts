import { expect, test } from './fixtures.ts';

test('filter the jobs table and open a job trace', async ({ opsdeck }) => {
  const { page } = opsdeck;
  for (let i = 0; i < 3; i++) await opsdeck.enqueue('e2e_quick', { identifier: `quick-${opsdeck.stamp}-${i}`, payload: { n: i } });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_quick', status: ['completed'] })).length).toBeGreaterThanOrEqual(3);

  await opsdeck.open('/');
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Jobs' }).click();
  const filters = page.getByRole('form', { name: 'Job filters' });
  await filters.getByLabel('Service').selectOption('e2e_quick');
  await filters.getByRole('checkbox', { name: 'completed' }).check();
  await expect(page).toHaveURL(/service=e2e_quick/);
  await expect(page).toHaveURL(/status=completed/);

  const table = page.getByRole('table', { name: 'Jobs' });
  // The order is exposed, not only drawn: newest first, by id.
  await expect(table.getByRole('columnheader', { name: 'ID', exact: true })).toHaveAttribute('aria-sort', 'descending');
  const mine = table.getByRole('row').filter({ hasText: `quick-${opsdeck.stamp}-` });
  await expect(mine).toHaveCount(3);
  await expect(table.getByRole('row').filter({ hasNotText: 'e2e_quick' })).toHaveCount(1); // only the header row

  // The id link is named by the number it shows; the identifier is its row's header.
  const wanted = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: `quick-${opsdeck.stamp}-1`, exact: true }) });
  const id = (await opsdeck.jobs({ service: 'e2e_quick' })).find((j) => j.identifier === `quick-${opsdeck.stamp}-1`)?.id;
  await wanted.getByRole('button', { name: String(id), exact: true }).click();
  const drawer = page.getByRole('dialog', { name: `Job quick-${opsdeck.stamp}-1` });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole('list', { name: 'Attempts' })).toContainText('Attempt 1');
  await expect(drawer.getByRole('list', { name: 'Attempts' })).toContainText('completed');
  await expect(drawer).toContainText('"n": 1');
  await expect(page).toHaveURL(/job=\d+/);
  await opsdeck.screenshot('jobs-filter-trace');

  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);
});
