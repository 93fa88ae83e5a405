import { expect, test } from './fixtures.ts';

test("the jobs table gives its Error column the most room: a connection error reads whole at 1440 px, and the column is the widest there and on a large screen", async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `columns-${opsdeck.stamp}`;
  const error = 'connect ECONNREFUSED 10.0.26.54:5432';
  const { id } = await opsdeck.enqueue('e2e_reject', { identifier, payload: { fail_message: error } });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_reject', status: ['failed'] })).find((j) => j.id === id)?.error_message).toBe(error);
  try {
    for (const width of [1440, 2560]) {
      await page.setViewportSize({ width, height: 900 });
      await opsdeck.open('/jobs?service=e2e_reject');
      const table = page.getByRole('table', { name: 'Jobs' });
      const cell = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: identifier }) }).getByRole('cell').last();
      await expect(cell).toHaveText(error);
      const cut = await cell.evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(cut, `at ${width} px the error is cut by ${cut} px`).toBeLessThanOrEqual(0);

      const headers = await table.getByRole('columnheader').all();
      const widths = await Promise.all(headers.map(async (h) => [(await h.innerText()).replace(/[↓\s]/g, '').toLowerCase(), (await h.boundingBox())?.width ?? 0] as const));
      const errorWidth = widths.find(([name]) => name === 'error')?.[1] ?? 0;
      for (const [name, w] of widths.filter(([name]) => name !== 'error')) expect(errorWidth, `at ${width} px, Error (${errorWidth} px) against ${name}`).toBeGreaterThan(w);
      // The times keep what a UTC time needs, whole.
      for (const name of ['created', 'started']) expect(widths.find(([n]) => n === name)?.[1]).toBeGreaterThanOrEqual(160);
    }
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
    // The specs share one store: a dead letter left open would be counted by the next that counts them.
    await opsdeck.call('dlq.resolve', { selector: { job_ids: [id] }, note: 'e2e: only here to be read whole' });
  }
});
