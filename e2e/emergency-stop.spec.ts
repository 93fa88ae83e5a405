import { expect, test } from './fixtures.ts';

test('emergency stop returns running jobs to pending, shows the banner, and resumes', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const jobs = [];
  for (let i = 0; i < 2; i++) jobs.push(await opsdeck.enqueue('e2e_sleeper', { identifier: `sleeper-${opsdeck.stamp}-${i}` }));
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_sleeper', status: ['running'] })).length).toBe(2);

  await opsdeck.open('/');
  await page.getByRole('button', { name: 'Emergency stop', exact: true }).click();
  const banner = page.getByRole('region', { name: 'Emergency stop engaged' });
  await expect(banner).toBeVisible();
  // What it stopped, and what becomes of those jobs: the banner says only that dispatch stopped.
  await expect(page.getByText(/^Emergency stop: \d+ running job\(s\) asked to stop, back to pending with their attempt not spent, to run again once released; \d+ pending job\(s\) held\.$/)).toBeVisible();

  // Interrupted, not failed: back to pending without spending the attempt.
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_sleeper', status: ['pending'] })).length).toBe(2);
  await opsdeck.open('/jobs?service=e2e_sleeper');
  await expect(banner).toBeVisible();
  const table = page.getByRole('table', { name: 'Jobs' });
  for (const job of jobs) await expect(table.getByRole('row').filter({ hasText: job.identifier })).toContainText('pending');
  await opsdeck.screenshot('emergency-stop');

  await banner.getByRole('button', { name: 'Resume' }).click();
  const confirm = page.getByRole('dialog', { name: 'Resume dispatch?' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Resume dispatch' }).click();
  await expect(banner).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Emergency stop', exact: true })).toBeEnabled();

  // Leave nothing sleeping for the next spec.
  for (const job of jobs) await opsdeck.call('jobs.cancel', { id: job.id });
});
