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

test('a filter value too long for the contract is left out with a notice; the page stays up, also on reload', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await opsdeck.open(`/jobs?service=${'s'.repeat(300)}`);
  const notice = page.getByRole('alert').filter({ hasText: 'filter ignored' });
  await expect(notice).toContainText('Service filter ignored: 300 characters, at most 200 are accepted.');
  await expect(page.getByRole('table', { name: 'Jobs' })).toBeVisible();
  await page.reload();
  await expect(notice).toContainText('Service filter ignored');
  await expect(page.getByRole('heading', { name: 'Jobs', level: 1 })).toBeVisible();

  // Typed rather than linked: the same notice, for the field typed in.
  await opsdeck.open('/jobs');
  await expect(notice).toHaveCount(0);
  await page.getByRole('form', { name: 'Job filters' }).getByLabel('Error text').fill('e'.repeat(501));
  await expect(notice).toContainText('Error text filter ignored: 501 characters, at most 500 are accepted.');
  await expect(page.getByRole('table', { name: 'Jobs' })).toBeVisible();

  // Dead letters and the audit log read a filter from the address the same way.
  await opsdeck.open(`/dlq?q=${'d'.repeat(501)}`);
  await expect(notice).toContainText('Error text filter ignored: 501 characters, at most 500 are accepted.');
  await expect(page.getByRole('heading', { name: /^Groups/ })).toBeVisible();
  await expect(page.getByText('Could not load dead letters')).toHaveCount(0);
  await opsdeck.open(`/audit?action=${'a'.repeat(101)}`);
  await expect(notice).toContainText('Action filter ignored: 101 characters, at most 100 are accepted.');
  await expect(page.getByText('Could not load the audit log')).toHaveCount(0);

  expect(pageErrors).toEqual([]);
});

test('a filter changed deep in the list opens its own list at the top (its newest job first), fetching one page', async ({ opsdeck }) => {
  const { page } = opsdeck;
  // Three pages of jobs at least, whatever other specs left: the list fetches 200 a page.
  const jobs = Array.from({ length: 450 }, (_, i) => ({ identifier: `deep-${opsdeck.stamp}-${i}` }));
  await opsdeck.call('jobs.enqueueMany', { service: 'e2e_quick', jobs });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_quick', status: ['pending', 'running'] })).length, { timeout: 60_000 }).toBe(0);
  const [newest] = await opsdeck.jobs({ status: ['completed'] });
  if (!newest) throw new Error('no completed job listed');

  await opsdeck.open('/jobs');
  const table = page.getByRole('table', { name: 'Jobs' });
  const scroller = table.locator('.vtable-scroll');
  const meta = page.locator('.table-meta');
  await expect(meta).toContainText('200+ jobs');
  // Deep in "All jobs": the second page comes as the end of the first nears.
  await scroller.evaluate((el) => el.scrollTo(0, 190 * 32));
  await expect(meta).toContainText(/\b400\+? jobs/);
  await scroller.evaluate((el) => el.scrollTo(0, 380 * 32));
  expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(300 * 32);

  const asked: Array<{ filter: unknown; after: unknown }> = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/call/jobs.list')) asked.push(JSON.parse(request.postData() ?? '{}') as { filter: unknown; after: unknown });
  });
  await page.getByRole('form', { name: 'Job filters' }).getByRole('checkbox', { name: 'completed' }).check();
  await expect(page).toHaveURL(/status=completed/);
  const firstRow = table.getByRole('row').nth(1);
  await expect(firstRow.getByRole('rowheader')).toHaveText(newest.identifier);
  expect(await scroller.evaluate((el) => el.scrollTop)).toBe(0);
  await expect(meta).toContainText('200+ jobs');
  // A list opened deep asked for its second page at once; give it the moment it took.
  await page.waitForTimeout(500);
  const completed = asked.filter((a) => JSON.stringify(a.filter) === JSON.stringify({ status: ['completed'] }));
  expect(completed.map((a) => a.after)).toEqual([null]);
});

test("a resolved dead letter's row shows its resolved mark whole, beside its status", async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `resolved-mark-${opsdeck.stamp}`;
  const { id } = await opsdeck.enqueue('e2e_reject', { identifier });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_reject', status: ['failed'], unresolved: true })).some((j) => j.id === id)).toBe(true);
  await opsdeck.call('dlq.resolve', { selector: { job_ids: [id] }, note: 'e2e: resolved to see its mark in the jobs table' });

  await opsdeck.open('/jobs?service=e2e_reject&status=failed');
  const row = page.getByRole('table', { name: 'Jobs' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: identifier, exact: true }) });
  const status = row.getByRole('cell').nth(1);
  await expect(status.getByText('failed', { exact: true })).toBeVisible();
  const mark = status.getByText('resolved', { exact: true });
  await expect(mark).toBeVisible();
  // The cell cuts what overflows it with an ellipsis, which then stands where the mark was.
  expect(await status.evaluate((cell) => cell.scrollWidth - cell.clientWidth), 'the status cell overflows').toBeLessThanOrEqual(0);
});
