import { expect, test } from './fixtures.ts';

test('a page that fails to render says so in its place; the header, the emergency stop and the other pages still work', async ({ opsdeck }) => {
  const { page } = opsdeck;
  // A queue in the Overview's table, so the table renders; cancelled at the end, to leave the counts alone.
  const held = await opsdeck.enqueue('e2e_gate', { identifier: `page-error-${opsdeck.stamp}`, run_at: '2099-01-01T00:00:00Z' });
  await opsdeck.open('/audit');
  // The Overview's queue table formats its counts with toLocaleString: make that throw, as a bug would.
  await page.evaluate(`(() => {
    const original = Number.prototype.toLocaleString;
    globalThis.breakPages = true;
    Number.prototype.toLocaleString = function (...args) {
      if (globalThis.breakPages) throw new Error('broken on purpose');
      return original.apply(this, args);
    };
  })()`);
  await opsdeck.open('/');
  const failure = page.getByRole('alert').filter({ hasText: 'The Overview page failed.' });
  await expect(failure).toContainText('broken on purpose');
  await expect(page.getByRole('button', { name: 'Emergency stop', exact: true })).toBeEnabled();

  await page.evaluate('globalThis.breakPages = false');
  await failure.getByRole('button', { name: 'Try again' }).click();
  await expect(failure).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await opsdeck.call('jobs.cancel', { id: held.id });
});
