import { expect, test } from './fixtures.ts';

test('the Jobs page finds the jobs running longer than a duration typed as the CLI takes it, kept in the address', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `longer-${opsdeck.stamp}`;
  const { id } = await opsdeck.enqueue('e2e_sleeper', { identifier });
  // Running, and for more than the 2 seconds asked for below.
  await expect
    .poll(async () => {
      const job = (await opsdeck.jobs({ service: 'e2e_sleeper', status: ['running'] })).find((j) => j.id === id);
      return job?.started_at ? Date.now() - Date.parse(job.started_at) : 0;
    })
    .toBeGreaterThan(3000);

  try {
    await opsdeck.open('/jobs?service=e2e_sleeper');
    const filters = page.getByRole('form', { name: 'Job filters' });
    const longer = filters.getByLabel('Running longer than');
    const table = page.getByRole('table', { name: 'Jobs' });
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: identifier, exact: true }) });

    await longer.fill('2s');
    await expect(page).toHaveURL(/running_longer_than=2s/);
    await expect(row).toContainText(/running \d+s/);
    // Running jobs only: nothing finished of the service is listed beside it.
    await expect(table.getByRole('row').filter({ hasNotText: 'running' })).toHaveCount(1); // the header row

    await longer.fill('1h');
    await expect(page).toHaveURL(/running_longer_than=1h/);
    await expect(page.getByText('No jobs match these filters.')).toBeVisible();

    // The address keeps it, as it keeps the other filters.
    await page.reload();
    await expect(page.getByRole('form', { name: 'Job filters' }).getByLabel('Running longer than')).toHaveValue('1h');
    await expect(page.getByText('No jobs match these filters.')).toBeVisible();

    // Not a duration: left out, saying how to write one, as the CLI refuses it.
    await page.getByRole('form', { name: 'Job filters' }).getByLabel('Running longer than').fill('1.5h');
    await expect(page.getByRole('alert').filter({ hasText: 'filter ignored' })).toContainText(
      'Running longer than filter ignored: "1.5h" is not a duration: write one like 90s, 10m, 2h or 1d.',
    );

    await opsdeck.open(`/jobs?service=e2e_sleeper&running_longer_than=2s&job=${id}`);
    const drawer = page.getByRole('dialog', { name: `Job ${identifier}` });
    await expect(drawer).toContainText(/not yet: running \d+s/);
    await opsdeck.screenshot('jobs-running-longer');
    await page.keyboard.press('Escape');

    await page.getByRole('form', { name: 'Job filters' }).getByRole('button', { name: 'Clear filters' }).click();
    await expect(page).not.toHaveURL(/running_longer_than/);
  } finally {
    // The emergency-stop spec counts the sleepers that run: this one must not be among them.
    await opsdeck.call('jobs.cancel', { id, reason: 'e2e: running-longer-than spec done' });
    await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_sleeper' })).find((j) => j.id === id)?.status).toBe('cancelled');
  }
});

test("a job running for long shows how long whole in the Duration column, hours and minutes as well as seconds", async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `long-run-${opsdeck.stamp}`;
  const { id } = await opsdeck.enqueue('e2e_sleeper', { identifier });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_sleeper', status: ['running'] })).some((j) => j.id === id)).toBe(true);
  try {
    // The console's clock, not the job, moves on: it reads as having run 59 minutes and more.
    await page.clock.install({ time: Date.now() + 59 * 60_000 + 50_000 });
    await page.reload();
    await opsdeck.open('/jobs?service=e2e_sleeper&status=running');
    const row = page.getByRole('table', { name: 'Jobs' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: identifier, exact: true }) });
    const duration = row.getByRole('cell').nth(8);
    await expect(duration).toHaveText(/^running 59m \d\ds$/);
    // The cell cuts what overflows it with an ellipsis.
    expect(await duration.evaluate((cell) => cell.scrollWidth - cell.clientWidth), 'the duration cell overflows').toBeLessThanOrEqual(0);
  } finally {
    await opsdeck.call('jobs.cancel', { id, reason: 'e2e: long-running duration spec done' });
    await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_sleeper' })).find((j) => j.id === id)?.status).toBe('cancelled');
  }
});
