import { expect, test } from './fixtures.ts';

test('the overview says how long each queue\'s oldest due job has waited, and flags a queue that is behind', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const behind = `behind-${opsdeck.stamp}`;
  const held = `held-${opsdeck.stamp}`;
  const scheduled = `scheduled-${opsdeck.stamp}`;
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  // Jobs that wait: of a service whose breaker is open, in a queue an operator paused; and one due tomorrow.
  await opsdeck.call('breakers.setMode', { service: 'e2e_gate', mode: 'force_open' });
  await opsdeck.call('control.pauseQueue', { queue: held, paused: true, force: true });
  const jobs = [
    await opsdeck.enqueue('e2e_gate', { queue: behind, run_at: minutesAgo(20) }),
    await opsdeck.enqueue('e2e_quick', { queue: held, run_at: minutesAgo(30) }),
    await opsdeck.enqueue('e2e_quick', { queue: scheduled, run_at: new Date(Date.now() + 86_400_000).toISOString() }),
  ];
  try {
    await opsdeck.open('/');
    const table = page.getByRole('table', { name: 'Jobs per queue and status' });
    await expect(table.getByRole('columnheader', { name: 'Oldest due' })).toBeVisible();
    const row = (queue: string) => table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${queue}`) }) });
    // The cells after the queue's name: pending, then oldest due.
    await expect(row(behind).getByRole('cell').nth(1)).toHaveText(/^20m \d+s! \(behind\)$/);
    await expect(row(behind)).toHaveClass(/row-warn/);
    await expect(row(held).getByRole('cell').nth(1)).toHaveText(/^30m \d+s$/);
    await expect(row(held)).not.toHaveClass(/row-warn/);
    await expect(row(scheduled).getByRole('cell').nth(1)).toHaveText('—');
    await expect(row(scheduled)).not.toHaveClass(/row-warn/);
    await table.scrollIntoViewIfNeeded();
    await opsdeck.screenshot('queue-lag');

    // Paused and resumed from the page (its breaker, forced open, keeps its job from running): each notice
    // names the queue, which way, and what it means for the workers.
    const notices = page.getByRole('region', { name: 'Notifications' });
    const controls = page.getByRole('region', { name: 'Queue depth by queue' });
    await controls.getByRole('combobox', { name: 'Queue' }).selectOption(behind);
    await controls.getByRole('button', { name: 'Pause queue' }).click();
    await expect(notices).toContainText(`Queue ${behind} paused: workers take no new jobs from it; jobs already running finish.`);
    await page.getByRole('button', { name: `Resume queue ${behind}` }).click();
    await expect(notices).toContainText(`Queue ${behind} resumed: workers take its jobs again.`);
  } finally {
    for (const job of jobs) await opsdeck.call('jobs.cancel', { id: job.id });
    await opsdeck.call('control.pauseQueue', { queue: held, paused: false });
    await opsdeck.call('breakers.setMode', { service: 'e2e_gate', mode: 'auto' });
  }
});
