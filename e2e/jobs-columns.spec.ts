import { chromium } from '@playwright/test';
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

test('in a 1024 px window the jobs table fits its panel: no sideways scroll, status, service, when and the Error on screen; what it leaves out is in the drawer', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `narrow-${opsdeck.stamp}`;
  const error = 'connect ECONNREFUSED 10.0.26.54:5432';
  const { id } = await opsdeck.enqueue('e2e_reject', { identifier, payload: { fail_message: error } });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_reject', status: ['failed'] })).find((j) => j.id === id)?.error_message).toBe(error);
  try {
    await page.setViewportSize({ width: 1024, height: 900 });
    await opsdeck.open('/jobs?service=e2e_reject');
    const table = page.getByRole('table', { name: 'Jobs' });
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: identifier }) });
    await expect(row.getByRole('cell').last()).toHaveText(error);

    // The table clips what its rows do not fit: wider than their box is columns nobody can reach.
    const widths = await table.evaluate((el) => [el, ...Array.from(el.querySelectorAll('[role="row"], [role="rowgroup"]'))].map((e) => e.scrollWidth - e.clientWidth));
    expect(Math.max(...widths), 'content past the table\'s width').toBeLessThanOrEqual(0);

    const headers = (await table.getByRole('columnheader').allInnerTexts()).map((h) => h.replace(/[↓\s]/g, '').toLowerCase());
    expect(headers).toEqual(['id', 'identifier', 'status', 'service', 'created', 'duration', 'error']);
    const box = await table.boundingBox();
    const errorHeader = await table.getByRole('columnheader', { name: 'Error' }).boundingBox();
    expect(box && errorHeader && errorHeader.x + errorHeader.width <= box.x + box.width, 'the Error column inside the table').toBe(true);
    // What failed is what the column is read for: it keeps the most room here too.
    const errorWidth = errorHeader?.width ?? 0;
    for (const header of await table.getByRole('columnheader').all()) {
      if ((await header.innerText()) !== 'ERROR') expect(errorWidth).toBeGreaterThan((await header.boundingBox())?.width ?? 0);
    }
    await opsdeck.screenshot('jobs-1024');

    await row.getByRole('button', { name: String(id) }).click();
    const facts = page.getByRole('dialog').locator('dl.facts');
    for (const fact of ['Queue', 'Type', 'Attempts', 'Started']) await expect(facts.getByRole('term').getByText(fact, { exact: true })).toBeVisible();
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
    await opsdeck.call('dlq.resolve', { selector: { job_ids: [id] }, note: 'e2e: only here to be read in a narrow window' });
  }
});

test.describe('in a zone with an offset', () => {
  // A local time carries its offset (+05:30), five characters more than a UTC one's Z.
  test.use({ timezoneId: 'Asia/Kolkata' });

  test('a local time shows whole, offset and all: in the Created and Started columns at 1440 px, in Created at 1024 px, where Started is left out', async ({ opsdeck }) => {
    const { page } = opsdeck;
    const identifier = `local-times-${opsdeck.stamp}`;
    const { id } = await opsdeck.enqueue('e2e_quick', { identifier });
    await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_quick', status: ['completed'] })).some((j) => j.id === id), { timeout: 20_000 }).toBe(true);
    try {
      for (const [width, shown] of [[1024, 1], [1440, 2]] as const) {
        await page.setViewportSize({ width, height: 900 });
        await opsdeck.open('/jobs?service=e2e_quick');
        const row = page.getByRole('table', { name: 'Jobs' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: identifier }) });
        const times = row.locator('time').filter({ visible: true });
        await expect(times).toHaveCount(shown);
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

test('once the jobs scroll, each column stands under its header: the head leaves room for the rows\' scrollbar', async ({ opsdeck, target }) => {
  if (target.kind !== 'browser') {
    test.skip(true, 'checked in the browser project, which launches a Chromium of its own that shows its scrollbars; an Electron window is not one');
    return;
  }
  const stamp = `aligned-${opsdeck.stamp}`;
  for (let i = 0; i < 30; i++) await opsdeck.enqueue('e2e_quick', { identifier: `${stamp}-${i}` });
  // The test browser hides its scrollbars, so none takes room; a desktop's takes 15 px or so. This one shows them.
  const browser = await chromium.launch({
    executablePath: process.env.OPSDECK_E2E_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
    ignoreDefaultArgs: ['--hide-scrollbars'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 600 } });
    await page.goto(target.url);
    await page.goto(`${target.origin}/#/jobs?service=e2e_quick`);
    const table = page.getByRole('table', { name: 'Jobs' });
    await expect(table.getByRole('rowheader', { name: `${stamp}-29` })).toBeVisible();
    const scroller = table.locator('.vtable-scroll');
    expect(await scroller.evaluate((el) => el.offsetWidth - el.clientWidth), 'a scrollbar that takes room').toBeGreaterThan(0);
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: `${stamp}-29` }) });
    const edges = async (cells: Array<{ boundingBox(): Promise<{ x: number; width: number } | null> }>) =>
      Promise.all(cells.map(async (c) => Math.round((await c.boundingBox())?.x ?? -1)));
    const headerEdges = await edges(await table.getByRole('columnheader').all());
    // The id, then the identifier (a rowheader), then the other cells: every column's left edge.
    const cells = await row.getByRole('cell').all();
    const rowEdges = await edges([...cells.slice(0, 1), row.getByRole('rowheader'), ...cells.slice(1)]);
    expect(rowEdges).toEqual(headerEdges);
    const right = async (cell: { boundingBox(): Promise<{ x: number; width: number } | null> } | undefined) => {
      const box = await cell?.boundingBox();
      return box ? Math.round(box.x + box.width) : -1;
    };
    expect(await right(cells.at(-1)), 'the Error column ends where its header does').toBe(await right(table.getByRole('columnheader', { name: 'Error' })));
  } finally {
    await browser.close();
  }
});
