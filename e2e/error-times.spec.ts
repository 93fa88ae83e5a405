import { expect, test } from './fixtures.ts';

/** A time as the console writes every one: year first, with its zone's offset (Z for UTC). */
const MOMENT = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})`;
/** An error that names a time, as the engine's do ("this worker's registry … loaded 2026-…Z from …"). */
const ISO = '2031-03-14T01:59:26.000Z';
const MESSAGE = `e2e error times: the vendor asked for a retry after ${ISO}`;
/** The message as the console writes it: the time in the reader's zone, whichever that is. */
const WRITTEN = new RegExp(`the vendor asked for a retry after ${MOMENT}`);

// The CLI wrote the times inside a job's error in the reader's zone; the console left them as the ISO UTC
// the engine writes, beside its own times in the reader's zone.
test("the times inside a job's error are written as the console writes every time: jobs, drawer, dead letters, diagnose, overview", async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `error-times-${opsdeck.stamp}`;
  const { id } = await opsdeck.enqueue('e2e_reject', { identifier, payload: { fail_message: MESSAGE } });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_reject', status: ['failed'] })).some((j) => j.id === id)).toBe(true);
  try {
    await opsdeck.open('/jobs?service=e2e_reject');
    const table = page.getByRole('table', { name: 'Jobs' });
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: identifier, exact: true }) });
    const errorCell = row.getByRole('cell').last();
    await expect(errorCell).toHaveText(WRITTEN);
    await expect(errorCell).not.toContainText(ISO);
    // The hover gives the text as stored, times in UTC: what the Error text search matches.
    await expect(errorCell).toHaveAttribute('title', `error, as stored: ${MESSAGE}`);

    await row.getByRole('button', { name: String(id), exact: true }).click();
    const drawer = page.getByRole('dialog', { name: `Job ${identifier}` });
    const error = drawer.locator('section').filter({ has: page.getByRole('heading', { name: 'Error', exact: true }) }).locator('pre');
    await expect(error).toHaveText(WRITTEN);
    await expect(error).toHaveAttribute('title', MESSAGE);
    const attempt = drawer.getByRole('list', { name: 'Attempts' }).locator('pre').first();
    await expect(attempt).toHaveText(WRITTEN);
    await page.keyboard.press('Escape');

    await opsdeck.open('/dlq');
    const group = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: WRITTEN }) });
    await expect(group).toHaveCount(1);
    await expect(group).not.toContainText(ISO);
    await expect(group.getByRole('rowheader')).toHaveAttribute('title', MESSAGE);
    await group.getByRole('button', { name: /^Open group/ }).click();
    const dead = page.getByRole('table', { name: 'Dead letters in this group' }).getByRole('row').filter({ hasText: identifier });
    await expect(dead).toContainText(WRITTEN);
    await expect(dead).not.toContainText(ISO);
    await expect(dead.getByRole('cell').filter({ hasText: WRITTEN })).toHaveAttribute('title', MESSAGE);

    // The search says it matches the stored text, times in UTC, and the stored time finds the dead letter.
    const search = page.getByRole('searchbox', { name: 'Error text' });
    await expect(search).toHaveAttribute('placeholder', /stored error, times in UTC/);
    await expect(search).toHaveAttribute('title', /as stored, with its times in UTC/);
    await search.fill(`retry after ${ISO}`);
    await expect(page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: WRITTEN }) })).toHaveCount(1);

    // Diagnose's top error patterns: the sample as shown, and the hover with its text as stored.
    await opsdeck.open('/runners');
    const diagnostics = page.getByRole('region', { name: 'Diagnostics' });
    await diagnostics.getByRole('button', { name: 'Diagnose' }).click();
    const pattern = diagnostics.getByRole('table', { name: /^Top error patterns/ }).getByRole('cell').filter({ hasText: WRITTEN });
    await expect(pattern).toHaveCount(1);
    await expect(pattern).not.toContainText(ISO);
    await expect(pattern).toHaveAttribute('title', MESSAGE);

    await opsdeck.open('/');
    const failures = page.getByRole('region', { name: 'Failing in the last hour' }).getByRole('row').filter({ hasText: WRITTEN });
    await expect(failures).toHaveCount(1);
    await expect(failures).not.toContainText(ISO);
  } finally {
    // The specs share one store: a dead letter left open would be counted by the next that counts them.
    await opsdeck.call('dlq.resolve', { selector: { job_ids: [id] }, note: 'e2e: only here for the times in its error' });
  }
});
