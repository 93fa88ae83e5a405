import { expect, test } from './fixtures.ts';

test('the overview says how long each queue\'s oldest due job has waited, and marks a queue that is behind', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const behind = `behind-${opsdeck.stamp}`;
  const scheduled = `scheduled-${opsdeck.stamp}`;
  // A paused queue keeps its due job waiting; the other queue's job is due tomorrow, so nothing there waits.
  await opsdeck.call('control.pauseQueue', { queue: behind, paused: true, force: true });
  const jobs = [
    await opsdeck.enqueue('e2e_sleeper', { queue: behind, run_at: new Date(Date.now() - 20 * 60_000).toISOString() }),
    await opsdeck.enqueue('e2e_sleeper', { queue: scheduled, run_at: new Date(Date.now() + 86_400_000).toISOString() }),
  ];
  try {
    await opsdeck.open('/');
    const table = page.getByRole('table', { name: 'Jobs per queue and status' });
    await expect(table.getByRole('columnheader', { name: 'Oldest due' })).toBeVisible();
    const behindRow = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${behind}`) }) });
    await expect(behindRow.getByRole('cell').last()).toHaveText(/^20m \d+s$/);
    await expect(behindRow).toHaveClass(/row-warn/);
    const scheduledRow = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: scheduled }) });
    await expect(scheduledRow.getByRole('cell').last()).toHaveText('—');
    await expect(scheduledRow).not.toHaveClass(/row-warn/);
  } finally {
    for (const job of jobs) await opsdeck.call('jobs.cancel', { id: job.id });
    await opsdeck.call('control.pauseQueue', { queue: behind, paused: false });
  }
});
