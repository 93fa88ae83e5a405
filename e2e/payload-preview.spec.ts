import { z } from 'zod';
import { expect, test } from './fixtures.ts';

test('a job with a payload near a megabyte opens with its first 64 KiB; Show all draws the rest, Copy copies it all', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `bigpayload-${opsdeck.stamp}`;
  const rows = Array.from({ length: 9000 }, (_, i) => ({ i, name: `customer_${i}`, note: 'x'.repeat(60) }));
  const payload = { rows, end: `last-row-${opsdeck.stamp}` };
  const { id } = await opsdeck.enqueue('e2e_quick', { identifier, payload });

  await opsdeck.open(`/jobs?job=${id}`);
  const drawer = page.getByRole('dialog', { name: `Job ${identifier}` });
  const shown = drawer.getByRole('region', { name: 'Payload' }).locator('pre');
  await expect(shown).toContainText('"name": "customer_0"');
  await expect(drawer).toContainText(/Showing the first 6\d\.\d KiB of 1\.\d MiB \(pretty-printed\)\./);
  await expect(shown).not.toContainText(payload.end);
  await opsdeck.screenshot('payload-preview');

  await drawer.getByRole('button', { name: 'Show all' }).click();
  await expect(shown).toContainText(payload.end);
  await expect(drawer.getByRole('button', { name: 'Show all' })).toHaveCount(0);
  await expect(drawer).not.toContainText('Showing the first');

  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await drawer.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByText(/^Payload copied \(1\.\d MiB\)\.$/)).toBeVisible();
  // A string, as this file is type-checked without the DOM.
  const copied = z.string().parse(await page.evaluate('navigator.clipboard.readText()'));
  expect(JSON.parse(copied)).toEqual(payload);

  // A small payload is drawn whole, with no note.
  const small = await opsdeck.enqueue('e2e_quick', { identifier: `smallpayload-${opsdeck.stamp}`, payload: { n: 1 } });
  await opsdeck.open(`/jobs?job=${small.id}`);
  await expect(page.getByRole('dialog').getByRole('region', { name: 'Payload' }).locator('pre')).toHaveText('{\n  "n": 1\n}');
  await expect(page.getByRole('dialog')).not.toContainText('Showing the first');
});
