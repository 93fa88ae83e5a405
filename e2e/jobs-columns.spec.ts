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

test.describe('in a zone with an offset', () => {
  // A local time carries its offset (+05:30), five characters more than a UTC one's Z.
  test.use({ timezoneId: 'Asia/Kolkata' });

  test('the Created and Started columns show a local time whole, offset and all, at 1024 and 1440 px', async ({ opsdeck }) => {
    const { page } = opsdeck;
    const identifier = `local-times-${opsdeck.stamp}`;
    const { id } = await opsdeck.enqueue('e2e_quick', { identifier });
    await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_quick', status: ['completed'] })).some((j) => j.id === id), { timeout: 20_000 }).toBe(true);
    try {
      for (const width of [1024, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        await opsdeck.open('/jobs?service=e2e_quick');
        const row = page.getByRole('table', { name: 'Jobs' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: identifier }) });
        const times = row.locator('time');
        await expect(times).toHaveCount(2);
        for (const time of await times.all()) {
          await expect(time).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+05:30$/);
          // The cell, not the time inside it, is what cuts: its content past its box is what an operator loses.
          const cut = await time.evaluate((el) => (el.parentElement ? el.parentElement.scrollWidth - el.parentElement.clientWidth : 0));
          expect(cut, `at ${width} px the time is cut by ${cut} px`).toBeLessThanOrEqual(0);
        }
        await opsdeck.screenshot(`jobs-local-times-${width}`);
      }
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });
});
