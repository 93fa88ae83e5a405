import { z } from 'zod';
import { expect, test } from './fixtures.ts';

test("a dead-letter group shows its fingerprint, to copy, and lists its jobs newest failure first, as its Failed column says", async ({ opsdeck }) => {
  const { page } = opsdeck;
  const [older, newer] = [`fails-first-${opsdeck.stamp}`, `fails-second-${opsdeck.stamp}`];
  await opsdeck.upstream(false);
  const jobs = [await opsdeck.enqueue('e2e_upstream', { identifier: older })];
  const failed = async (identifier: string) => (await opsdeck.jobs({ service: 'e2e_upstream', status: ['failed'], unresolved: true })).find((j) => j.identifier === identifier);
  await expect.poll(async () => (await failed(older))?.completed_at ?? null).not.toBeNull();
  jobs.push(await opsdeck.enqueue('e2e_upstream', { identifier: newer }));
  await expect.poll(async () => (await failed(newer))?.completed_at ?? null).not.toBeNull();
  // The older job, sent back while its upstream is still down, fails again: the group's newest failure, under the older id.
  await opsdeck.call('dlq.retry', { selector: { job_ids: [jobs[0]?.id] } });
  await expect.poll(async () => Date.parse((await failed(older))?.completed_at ?? '') > Date.parse((await failed(newer))?.completed_at ?? '')).toBe(true);
  const fingerprint = (await failed(older))?.error_fingerprint;
  if (!fingerprint) throw new Error('a dead letter has its fingerprint');
  try {
    await opsdeck.upstream(true);
    await opsdeck.open('/dlq');
    const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: `Copy fingerprint ${fingerprint}` }) });
    await expect(row.getByRole('cell').filter({ hasText: fingerprint })).toContainText(fingerprint);
    await expect(row).toContainText('e2e_upstream');

    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await row.getByRole('button', { name: `Copy fingerprint ${fingerprint}` }).click();
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText(`Copied fingerprint ${fingerprint}.`);
    // A string, as this file is type-checked without the DOM.
    expect(z.string().parse(await page.evaluate('navigator.clipboard.readText()'))).toBe(fingerprint);

    await row.getByRole('button', { name: /^Open group/ }).click();
    const listed = page.getByRole('table', { name: 'Dead letters in this group' });
    await expect(listed.getByRole('columnheader', { name: /^Failed/ })).toHaveAttribute('aria-sort', 'descending');
    await expect(listed.getByRole('rowheader', { name: newer })).toBeVisible();
    const order = await listed.getByRole('rowheader').allInnerTexts();
    expect(order.indexOf(older), `${older} failed last: listed before ${newer}`).toBeLessThan(order.indexOf(newer));
    expect(order.indexOf(older)).toBeGreaterThanOrEqual(0);
    await opsdeck.screenshot('dlq-group');
  } finally {
    await opsdeck.upstream(true);
    // The specs share one store: a dead letter left open would be counted by the next that counts them.
    await opsdeck.call('dlq.resolve', { selector: { job_ids: jobs.map((j) => j.id) }, note: 'e2e: only here to be listed' });
  }
});
