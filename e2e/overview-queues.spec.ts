import { expect, test } from './fixtures.ts';

test("the queue chart shows each queue's backlog and open dead letters, and its table beside it at 1440 px shows every column, under it in a narrower window", async ({ opsdeck }) => {
  const { page } = opsdeck;
  const queue = `layout-${opsdeck.stamp}`;
  const { id } = await opsdeck.enqueue('e2e_quick', { queue, run_at: new Date(Date.now() + 86_400_000).toISOString() });
  // Two jobs of the queue fail into the dead letters, and one is resolved: 2 failed, 1 open dead letter.
  const rejected = [(await opsdeck.enqueue('e2e_reject', { queue })).id, (await opsdeck.enqueue('e2e_reject', { queue })).id];
  await expect.poll(async () => (await opsdeck.jobs({ queue, status: ['failed'] })).length, { timeout: 20_000 }).toBe(2);
  await opsdeck.call('dlq.resolve', { selector: { job_ids: [rejected[0]] }, note: `e2e ${opsdeck.stamp}: dealt with` });
  try {
    for (const [width, beside] of [
      [1440, true],
      [1024, false],
    ] as const) {
      await page.setViewportSize({ width, height: 900 });
      await opsdeck.open('/');
      const panel = page.getByRole('region', { name: 'Queue depth by queue' });
      const chart = panel.locator('.recharts-responsive-container');
      const table = panel.getByRole('region', { name: 'Jobs per queue and status, scrollable' });
      await expect(table.getByRole('rowheader', { name: queue })).toBeVisible();
      await expect(chart).toBeVisible();
      // What waits and runs, and the open dead letters: never every failed job the store still keeps.
      const legend = panel.locator('.recharts-legend-wrapper');
      await expect(legend).toHaveText(/due\s*not yet due\s*running\s*open dead letters/);
      await expect(legend).not.toContainText('failed');

      // The table counts what the chart draws: the open dead letters, not every failed job kept.
      const headers = await table.getByRole('columnheader').allTextContents();
      const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: queue }) });
      await expect(row.getByRole('cell').nth(headers.indexOf('Open dead letters') - 1)).toHaveText('1');
      expect(headers).not.toContain('Failed');

      await table.scrollIntoViewIfNeeded();
      const sideways = await table.evaluate((region) => region.scrollWidth - region.clientWidth);
      expect(sideways, `at ${width} px the queue table scrolls sideways`).toBeLessThanOrEqual(0);
      await expect(table.getByRole('columnheader', { name: 'Blocked' })).toBeInViewport({ ratio: 1 });
      const [chartBox, tableBox] = [await chart.boundingBox(), await table.boundingBox()];
      if (chartBox === null || tableBox === null) throw new Error('the chart and the table have boxes');
      if (beside) expect(tableBox.x, `at ${width} px the table is right of the chart`).toBeGreaterThanOrEqual(chartBox.x + chartBox.width);
      else expect(tableBox.y, `at ${width} px the table is under the chart`).toBeGreaterThanOrEqual(chartBox.y + chartBox.height);
    }
    await opsdeck.screenshot('overview-queues');
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
    await opsdeck.call('jobs.cancel', { id });
    await opsdeck.call('dlq.resolve', { selector: { job_ids: rejected }, note: `e2e ${opsdeck.stamp}: tidy up` });
  }
});
