import { expect, test } from './fixtures.ts';

test('Go to job opens a job by its identifier or id, says when there is none, and / reaches it from any page', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `goto-${opsdeck.stamp}`;
  const { id } = await opsdeck.enqueue('e2e_quick', { identifier, payload: { go: 'to' } });

  await opsdeck.open('/jobs');
  const box = page.getByRole('search', { name: 'Go to job' }).getByRole('searchbox', { name: 'Go to job' });
  await box.fill(identifier);
  await box.press('Enter');
  const drawer = page.getByRole('dialog', { name: `Job ${identifier}` });
  await expect(drawer).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`job=${id}(&|$)`));
  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);

  // By its id too.
  await box.fill(String(id));
  await box.press('Enter');
  await expect(drawer).toBeVisible();
  await page.keyboard.press('Escape');

  // A name that is no job is said at the box; no drawer opens.
  await box.fill(`${identifier}-missing`);
  await box.press('Enter');
  await expect(page.getByRole('search', { name: 'Go to job' }).getByRole('alert')).toHaveText(`No job with id or identifier "${identifier}-missing".`);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await opsdeck.screenshot('go-to-job-missing');

  // The address takes an identifier, as the CLI and REST do; one that is no job says so in the drawer.
  await opsdeck.open(`/jobs?job=${identifier}`);
  await expect(drawer).toContainText('"go": "to"');
  await opsdeck.open(`/jobs?job=${identifier}-missing`);
  await expect(page.getByRole('dialog').getByRole('alert')).toHaveText(`No job with id or identifier "${identifier}-missing".`);
  await page.keyboard.press('Escape');

  // `/` from another page: to the Jobs page, the focus in the box; typed in a field, `/` is a slash.
  await opsdeck.open('/dlq');
  await page.locator('body').press('/');
  await expect(page).toHaveURL(/#\/jobs/);
  await expect(box).toBeFocused();
  await page.keyboard.type(identifier);
  await expect(box).toHaveValue(identifier);
  await page.keyboard.press('Enter');
  await expect(drawer).toBeVisible();
  await page.keyboard.press('Escape');

  // The shortcut sheet lists it.
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(sheet.getByRole('row').filter({ hasText: 'Go to a job by its id or identifier' })).toContainText('/');
});
