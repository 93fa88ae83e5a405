import { z } from 'zod';
import { expect, type Opsdeck } from '../fixtures.ts';

const Runs = z.object({ runs: z.array(z.object({ id: z.number(), status: z.string() })) });

/**
 * The operator's walk through the Workflows page, on whichever store the console has: run the
 * three-task e2e_flow, watch `sync` fail against the downed upstream and `report` wait blocked behind it,
 * bring the upstream back, retry from the failed task in one click, and see the run finish without
 * running `prepare` again.
 */
export async function walkThroughWorkflow(opsdeck: Opsdeck, shots = 'workflow'): Promise<void> {
  const { page } = opsdeck;
  await opsdeck.upstream(false);
  await opsdeck.open('/workflows');
  await expect(page.getByRole('heading', { level: 1, name: 'Workflows' })).toBeVisible();

  // The operator starts a run; the page opens it.
  await page.getByRole('button', { name: 'Run workflow e2e_flow' }).click();
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText(/Started run \d+ of e2e_flow/);
  const run = page.getByRole('region', { name: /^Run \d+ of e2e_flow$/ });
  await expect(run).toBeVisible();
  const tasks = run.getByRole('table', { name: /^Tasks of run \d+$/ });
  const row = (task: string) => tasks.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${task}:`) }) });

  // sync fails against the downed upstream; report, which depends on it, is blocked with the reason.
  await expect(row('prepare')).toContainText('completed');
  await expect(row('sync')).toContainText('failed');
  await expect(row('report')).toContainText('blocked');
  await expect(row('report')).toContainText("upstream task 'sync' failed");
  await expect(run.getByText('failed', { exact: true }).first()).toBeVisible();
  const graph = run.getByRole('img', { name: /as a graph/ });
  await expect(graph).toHaveAccessibleName(/as a graph: prepare completed, sync failed, report blocked/);
  await expect(graph.locator('[data-task="report"]')).toHaveAttribute('data-status', 'blocked');
  await opsdeck.screenshot(`${shots}-blocked`);

  // The upstream is back; one click retries from the failed task, and the run finishes.
  await opsdeck.upstream(true);
  await run.getByRole('button', { name: 'Retry from sync' }).click();
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('retried sync');
  await expect(row('report')).toContainText('completed');
  await expect(row('sync')).toContainText('completed');
  await expect(run.getByRole('button', { name: 'Retry failed tasks' })).toBeDisabled();
  await expect(graph.locator('[data-task="report"]')).toHaveAttribute('data-status', 'completed');

  // The runs table says so too, and the prepare task ran once: the run resumed, it did not start over.
  const runs = page.getByRole('table', { name: 'Workflow runs, newest first' });
  await expect(runs.getByRole('row').nth(1)).toContainText('completed');
  await expect(runs.getByRole('row').nth(1)).toContainText('3 completed');
  const listed = Runs.parse(await opsdeck.call('workflows.runs', { workflow: 'e2e_flow', limit: 1 })).runs[0];
  expect(listed?.status).toBe('completed');
  const prepare = await opsdeck.jobs({ service: 'e2e_quick', status: ['completed'] });
  expect(prepare.filter((j) => j.identifier.endsWith('/prepare') && j.attempts === 1).length).toBeGreaterThanOrEqual(1);
  await opsdeck.screenshot(`${shots}-completed`);

  // A task is a job: its trace opens from the table, and leads back to its run.
  await row('sync').getByRole('link').click();
  const drawer = page.getByRole('dialog');
  await expect(drawer.getByRole('list', { name: 'Attempts' })).toBeVisible();
  await drawer.getByRole('link', { name: /^task sync of run / }).click();
  await expect(page.getByRole('region', { name: /^Run \d+ of e2e_flow$/ })).toBeVisible();
  await expect(row('sync')).toContainText('completed');
}
