import { expect, test } from './fixtures.ts';

// Runbook 000's "switch to safe mode": the workers pause, they do not stop. Read as "draining", an operator
// restarted workers for nothing; the Runners page and the job's drawer say what holds them and how to lift it.
test('in safe mode the workers are held, not draining, and a waiting job says safe mode holds it', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.call('control.safeMode', { enabled: true, reason: `e2e ${opsdeck.stamp}` });
  try {
    const job = await opsdeck.enqueue('e2e_held', { identifier: `held-${opsdeck.stamp}` });
    await opsdeck.open('/runners');
    const workers = page.getByRole('table', { name: 'Workers' });
    const held = workers.getByRole('row').filter({ has: page.getByText('held', { exact: true }) });
    await expect(held.first()).toBeVisible();
    await expect(held.first().getByText('held', { exact: true })).toHaveAttribute('title', /^Held by safe mode: it takes no new jobs, and is not stopping/);
    await expect(workers).not.toContainText('draining');
    await expect(page.getByRole('status').filter({ hasText: /held by safe mode/ })).toContainText(/\d+ workers? (is|are) held by safe mode: .* not stopping, so restarting .* changes nothing\. Leave safe mode in the banner above to dispatch again\./);
    await opsdeck.screenshot('runners-held');

    await opsdeck.open(`/jobs?job=${job.id}`);
    const waiting = page.getByRole('status').filter({ hasText: 'Waiting:' });
    await expect(waiting).toContainText(/safe mode is on by \S+: e2e \S+ \(Leave safe mode in the banner at the top\)/);
    await expect(waiting).not.toContainText('draining');
  } finally {
    await opsdeck.call('control.safeMode', { enabled: false });
  }
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_held', status: ['completed'] })).length).toBe(1);
});
