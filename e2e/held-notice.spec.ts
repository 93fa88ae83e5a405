import { expect, test } from './fixtures.ts';

// Runbook 000: a job retried while the emergency stop was engaged sat pending, and the notice said only
// "sent back to pending". The action's own answer says what holds it and what releases it.
test('a job retried in the console while the emergency stop is engaged is said to wait for it, and runs once released', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `held-retry-${opsdeck.stamp}`;
  await opsdeck.call('control.emergencyStop', { reason: `e2e ${opsdeck.stamp}` });
  try {
    // Pending behind the stop, then cancelled: a job Retry sends back to pending.
    const job = await opsdeck.enqueue('e2e_quick', { identifier });
    await opsdeck.call('jobs.cancel', { id: job.id });
    await opsdeck.open(`/jobs?job=${job.id}`);
    await page.getByRole('dialog', { name: `Job ${identifier}` }).getByRole('button', { name: 'Retry', exact: true }).click();
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText(
      new RegExp(`Job ${identifier} sent back to pending\\. It waits while the emergency stop is engaged by \\S+: e2e ${opsdeck.stamp} \\(Resume in the banner at the top releases it\\)\\.`),
    );
  } finally {
    await opsdeck.call('control.resume', {});
  }
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_quick', status: ['completed'] })).some((j) => j.identifier === identifier)).toBe(true);
});
