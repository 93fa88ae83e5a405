import { expect, test } from './fixtures.ts';
import { recordAnnouncements, timesAnnounced } from './support/liveRegions.ts';

/*
 * Issue 20, item 7: a confirmed action closes its dialog and reports once, by a notice with a link to the
 * jobs; Escape closes any dialog wherever the focus is; the emergency stop stays one click away with a
 * dialog open, and its shortcut is shown on it.
 */
test('a confirmed bulk action closes its dialog and reports once; Escape works wherever focus is; the stop stays one click away', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `dialog-${opsdeck.stamp}`;
  await opsdeck.enqueue('e2e_reject', { identifier });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_reject', unresolved: true })).map((j) => j.identifier)).toContain(identifier);
  await recordAnnouncements(page);
  await opsdeck.open('/dlq');
  await page.reload();

  try {
    const group = page.getByRole('row').filter({ hasText: 'e2e_reject' });
    const count = Number(await group.getByRole('cell').first().innerText());
    const retried = `Retried ${count} job${count === 1 ? '' : 's'}.`;
    await group.getByRole('button', { name: /^Retry group/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Retry this group' });
    await dialog.getByRole('button', { name: /^Retry \d+ jobs?$/ }).click();

    // Closed at once; the result is the notice's alone, with the way to the jobs, and is said once.
    await expect(dialog).toHaveCount(0);
    const notice = page.getByRole('region', { name: 'Notifications' });
    await expect(notice).toContainText(retried);
    await expect(notice.getByRole('link', { name: 'Show e2e_reject jobs' })).toHaveAttribute('href', '#/jobs?service=e2e_reject');
    await expect.poll(() => timesAnnounced(page, retried)).toBe(1);

    // Escape closes a dialog whose focus was lost to the page, and Tab from there comes back inside.
    await expect(group).toBeVisible(); // the rejected jobs fail again, straight back into the group
    const resolveGroup = group.getByRole('button', { name: /^Resolve group/ });
    await resolveGroup.click();
    const resolve = page.getByRole('dialog', { name: 'Resolve this group' });
    await expect(resolve.getByRole('textbox', { name: /Resolution note/ })).toBeFocused();
    await page.evaluate('document.activeElement.blur()');
    await page.keyboard.press('Tab');
    await expect(resolve.locator(':focus')).toHaveCount(1);
    await page.evaluate('document.activeElement.blur()');
    await page.keyboard.press('Escape');
    await expect(resolve).toHaveCount(0);
    // Focus goes back to the button that opened it.
    await expect(resolveGroup).toBeFocused();

    // With a dialog open, the stop is still one click away, its shortcut written on it.
    await group.getByRole('button', { name: /^Retry group/ }).click();
    await expect(page.getByRole('dialog', { name: 'Retry this group' })).toBeVisible();
    const stop = page.getByRole('button', { name: 'Emergency stop', exact: true });
    await expect(stop).toHaveAttribute('aria-keyshortcuts', /Control\+Shift\+X/);
    await expect(stop).toContainText('Ctrl+Shift+X');
    await stop.click();
    await expect(page.getByRole('region', { name: 'Emergency stop engaged' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
  } finally {
    await opsdeck.call('control.resume', {});
  }
});

test('asked for in Settings, the stop shortcut confirms first, over another dialog, and Escape closes only the top one', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const identifier = `confirm-${opsdeck.stamp}`;
  await opsdeck.enqueue('e2e_reject', { identifier });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_reject', unresolved: true })).map((j) => j.identifier)).toContain(identifier);

  try {
    // Without the setting, the chord stops at once.
    await opsdeck.open('/dlq');
    await page.keyboard.press('Control+Shift+X');
    const banner = page.getByRole('region', { name: 'Emergency stop engaged' });
    await expect(banner).toBeVisible();
    await opsdeck.call('control.resume', {});
    await expect(banner).toHaveCount(0);

    await opsdeck.open('/settings');
    await page.getByRole('checkbox', { name: /^Ask before an emergency stop/ }).check();
    await page.keyboard.press('?');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toContainText('Ctrl+Shift+X');
    await page.keyboard.press('Escape');

    await opsdeck.open('/dlq');
    await page.getByRole('row').filter({ hasText: 'e2e_reject' }).getByRole('button', { name: /^Resolve group/ }).click();
    const resolve = page.getByRole('dialog', { name: 'Resolve this group' });
    await expect(resolve).toBeVisible();
    await page.keyboard.press('Control+Shift+X');
    const confirm = page.getByRole('dialog', { name: 'Stop everything?' });
    await expect(confirm).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(confirm).toHaveCount(0);
    await expect(resolve).toBeVisible();
    await expect(banner).toHaveCount(0);

    await page.keyboard.press('Control+Shift+X');
    await confirm.getByLabel(/^Reason/).fill(`dialog spec ${opsdeck.stamp}`);
    await page.keyboard.press('Enter');
    await expect(banner).toContainText(`dialog spec ${opsdeck.stamp}`);
    await expect(confirm).toHaveCount(0);
    await expect(resolve).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(resolve).toHaveCount(0);
  } finally {
    await opsdeck.call('control.resume', {});
  }
});
