import { expect, test } from './fixtures.ts';

// The runbooks' graceful shutdown from the console: Enter safe mode asks why and, optionally, how long the
// running jobs have; the banner counts what still runs and says when the stop comes; once the deadline
// passes a worker engages the emergency stop, audited in the name of who asked.
test('Enter safe mode with a deadline: the banner shows the drain, then the emergency stop interrupts what still runs', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const job = await opsdeck.enqueue('e2e_sleeper', { identifier: `drain-${opsdeck.stamp}` });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_sleeper', status: ['running'] })).length).toBe(1);
  try {
    await opsdeck.open('/');
    await page.getByRole('button', { name: 'Enter safe mode' }).click();
    const dialog = page.getByRole('dialog', { name: 'Enter safe mode' });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel('Reason (optional, shown to every operator)').fill(`release ${opsdeck.stamp}`);
    await dialog.getByLabel('Then stop what still runs after a deadline (the graceful shutdown)').check();
    const seconds = dialog.getByLabel(/^Seconds the running jobs have to finish/);
    await seconds.fill('0');
    await expect(dialog.getByRole('alert')).toHaveText('Give a whole number of seconds from 1 to 86,400.');
    await expect(dialog.getByRole('button', { name: 'Enter safe mode' })).toBeDisabled();
    await seconds.fill('4');
    await dialog.getByRole('button', { name: 'Enter safe mode' }).click();
    await expect(dialog).toHaveCount(0);

    const safe = page.getByRole('region', { name: 'Safe mode' });
    await expect(safe).toContainText(`release ${opsdeck.stamp}`);
    await expect(safe).toContainText(/Draining: 1 job\(s\) still running; the emergency stop interrupts what still runs at \S+( \S+)? \(4s asked by \S+\)\./);
    await opsdeck.screenshot('safe-mode-drain');

    const stopped = page.getByRole('region', { name: 'Emergency stop engaged' });
    await expect(stopped).toBeVisible({ timeout: 15_000 });
    await expect(stopped).toContainText('safe-mode drain: 1 job(s) still running after 4s');
    await expect(safe).not.toContainText('Draining');
    await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_sleeper', status: ['pending'] })).map((j) => j.id)).toContain(job.id);

    await opsdeck.open('/audit');
    await expect(page.getByRole('table').first()).toContainText('control.emergency_stop');
  } finally {
    await opsdeck.call('control.resume', {});
    await opsdeck.call('control.safeMode', { enabled: false });
    await opsdeck.call('jobs.cancel', { id: job.id });
  }
});
