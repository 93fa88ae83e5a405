import { expect, test } from '@playwright/test';
import { openStore } from '../electron/store/open.ts';
import { createTestDatabase } from '../electron/store/testing/pgTestDb.ts';
import { startConsole } from './support/serve.ts';

/**
 * The outage drill, in small: PostgreSQL stops answering for longer than the Overview's 30 s refetch, with
 * the console open on the Overview and on the Runners page. What the operator is told must be true during
 * the outage and right after it.
 */
test('on PostgreSQL: through an outage the console keeps its figures not live, says an emergency stop was NOT engaged and cannot tell about dispatch; after it, every panel is fresh at once and a worker cut off is reconnecting, not lost', async ({ page }) => {
  test.setTimeout(180_000);
  const database = await createTestDatabase({ migrated: true });
  const opsdeck = await startConsole({ db: database.url });
  const store = await openStore(database.url, { migrate: false });
  try {
    // A worker on another server, live as the outage starts: its heartbeats stop with the store's answers.
    await store.registerWorker({ id: 'far-worker', host: 'srv-far', pid: 4242, version: 'test', concurrency: 4, queues: null });
    await page.goto(opsdeck.url);
    await expect(page.getByText(/^live · updated /)).toBeVisible();
    const runners = await page.context().newPage();
    await runners.goto(`${opsdeck.url}#/runners`);
    const farRow = runners.getByRole('row').filter({ has: runners.getByRole('rowheader', { name: 'far-worker', exact: true }) });
    await expect(farRow).toBeVisible();

    await database.allowConnections(false);
    const banner = page.getByRole('alert').filter({ hasText: 'Store unavailable' });
    await expect(banner).toBeVisible();
    await page.getByRole('button', { name: 'Emergency stop', exact: true }).click();
    const notEngaged = page.getByText(/^Emergency stop NOT engaged: the store does not answer \(.*\), so nothing was stopped/);
    await expect(notEngaged).toBeVisible();
    await expect(notEngaged).toContainText('Once the store answers, press Emergency stop again.');

    // Past the Overview's refetch of its figures (30 s, then its retries): they stay, never called live.
    await page.waitForTimeout(40_000);
    await expect(page.getByText(/^not live: figures from .*, before the store stopped answering$/)).toBeVisible();
    await expect(page.getByRole('list', { name: 'Key figures' })).toBeVisible();
    await expect(page.getByText('Could not load the overview')).toHaveCount(0);
    await expect(notEngaged, 'the notice stays until dismissed').toBeVisible();
    await expect(page.getByRole('region', { name: 'Cannot tell whether due jobs are being dispatched' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Due jobs are not being dispatched' })).toHaveCount(0);

    await database.allowConnections(true);
    // Every panel is asked again as the banner goes: not at its next refetch (15 s for the dispatch check).
    await expect(banner).toHaveCount(0, { timeout: 10_000 });
    await expect(page.getByRole('region', { name: 'Cannot tell whether due jobs are being dispatched' })).toHaveCount(0, { timeout: 5_000 });
    await expect(page.getByText(/^live · updated /)).toBeVisible({ timeout: 5_000 });
    // Its last heartbeat fell in the outage: reconnecting, with no Forget, rather than lost.
    await expect(farRow.getByText('reconnecting', { exact: true })).toBeVisible({ timeout: 5_000 });
    await expect(farRow.getByRole('button', { name: /^Forget/ })).toHaveCount(0);
    await expect(runners.getByRole('status').filter({ hasText: /reconnecting: .* live when the store stopped answering/ })).toBeVisible();
    await expect(runners.getByText(/stopped sending heartbeats/)).toHaveCount(0);
    // No heartbeat comes from it: once its grace is over, it is lost.
    await expect(farRow.getByText('lost', { exact: true })).toBeVisible({ timeout: 20_000 });
    await expect(farRow.getByRole('button', { name: /^Forget/ })).toBeVisible();

    const control = await store.getControl();
    expect(control.emergency_stop.engaged, 'the stop pressed during the outage was not engaged, as the console said').toBe(false);
  } finally {
    await database.allowConnections(true).catch(() => undefined);
    await store.close();
    await opsdeck.stop();
    await database.drop();
  }
});
