import { z } from 'zod';
import { expect, test } from './fixtures.ts';

const Stuck = z.object({ runs: z.array(z.object({ id: z.number() })) });

test('a run stuck in running is flagged on the overview, and cancelling it from its page stops its running task', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.open('/workflows');
  await page.getByRole('button', { name: 'Run workflow e2e_stall' }).click();
  const run = page.getByRole('region', { name: /^Run \d+ of e2e_stall$/ });
  const tasks = run.getByRole('table', { name: /^Tasks of run \d+$/ });
  await expect(tasks.getByRole('row').filter({ hasText: 'e2e_sleeper' })).toContainText('running');

  // No task moves on for longer than the workflow's two seconds: the overview says so and links to it.
  await expect.poll(async () => Stuck.parse(await opsdeck.call('workflows.stuck', {})).runs.length).toBe(1);
  await opsdeck.open('/');
  const stuck = page.getByRole('region', { name: /1 workflow run is stuck/ });
  await expect(stuck).toBeVisible();
  await stuck.getByRole('link', { name: /of e2e_stall$/ }).click();
  await expect(run).toBeVisible();
  await expect(run.getByText('stuck', { exact: true })).toBeVisible();
  await opsdeck.screenshot('workflow-stuck');

  // Cancelling the run cancels what has not started and stops what runs.
  await run.getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText(/cancelled: 1 task\(s\) that had not started, 1 asked to stop/);
  await expect(tasks.getByRole('row').filter({ hasText: 'e2e_sleeper' })).toContainText('cancelled');
  await expect(tasks.getByRole('row').filter({ hasText: 'e2e_quick' })).toContainText('cancelled');
  // Each says why in its Reason: neither failed, nor was cancelled on its own.
  for (const service of ['e2e_sleeper', 'e2e_quick']) {
    await expect(tasks.getByRole('row').filter({ hasText: service }).getByRole('cell').last()).toHaveText('cancelled because an operator cancelled the run');
  }
  await opsdeck.open('/');
  await expect(page.getByRole('region', { name: /workflow runs? (is|are) stuck/ })).toHaveCount(0);
});
