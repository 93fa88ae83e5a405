import { expect, test } from './fixtures.ts';

/** A time as the console writes every one, and the CLI too: year first, with its zone's offset (Z for UTC). */
const MOMENT = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})`;

// Runbook 000: the header said "updated 9:50:03 PM", the tables "2026-12-06 21:46:48" with no zone.
test("every time is written one way and says its zone: the overview's 'updated' as the tables' times", async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.enqueue('e2e_quick', { identifier: `times-${opsdeck.stamp}` });
  await opsdeck.open('/');
  await expect(page.getByText(/^live · updated /)).toHaveText(new RegExp(`^live · updated ${MOMENT}$`));

  await opsdeck.open(`/jobs?service=e2e_quick`);
  const created = page.getByRole('row').filter({ hasText: `times-${opsdeck.stamp}` }).locator('time').first();
  await expect(created).toHaveText(new RegExp(`^${MOMENT}$`));
  await expect(created).toHaveAttribute('title', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
});
