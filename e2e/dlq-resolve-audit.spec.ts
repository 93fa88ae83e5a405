import { expect, test } from './fixtures.ts';

test('resolve a dead letter with a note and find it in the audit log', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `resolve-${opsdeck.stamp}`;
  const note = `bad payload, fixed by hand (${opsdeck.stamp})`;
  await opsdeck.enqueue('e2e_reject', { identifier });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_reject', unresolved: true })).map((j) => j.identifier)).toContain(identifier);

  await opsdeck.open('/dlq');
  await page.getByLabel('Error text').fill('e2e rejected');
  const group = page.getByRole('row').filter({ hasText: 'e2e_reject' });
  await group.getByRole('button', { name: /^Open group/ }).click();
  await page.getByRole('checkbox', { name: `Select job ${identifier}` }).check();
  await page.getByRole('button', { name: 'Resolve selected' }).click();

  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('This will resolve 1 job.');
  await dialog.getByLabel(/Resolution note/).fill(note);
  await dialog.getByRole('button', { name: 'Resolve 1 job' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('Resolved 1 job.');
  await expect(page.getByRole('checkbox', { name: `Select job ${identifier}` })).toHaveCount(0);

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Audit log' }).click();
  const entry = page.getByRole('row').filter({ hasText: note });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText(/resolve/i);
  // A bulk resolve has no target: its cell is the console's empty cell, a dash in the text's font, as the
  // Jobs cell beside it writes its figure (in monospace an em dash reads as an en dash).
  const [target, jobs] = [entry.getByRole('cell').nth(2), entry.getByRole('cell').nth(3)];
  await expect(target).toHaveText('—');
  await expect(jobs).toHaveText('1');
  for (const cell of [target, jobs]) await expect(cell).not.toHaveCSS('font-family', /monospace/);
  await opsdeck.screenshot('dlq-resolve-audit');

  const resolved = await opsdeck.jobs({ service: 'e2e_reject' });
  expect(resolved.find((j) => j.identifier === identifier)?.resolution).toBe(note);
});
