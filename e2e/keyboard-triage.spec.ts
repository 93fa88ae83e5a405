import { expect, test } from './fixtures.ts';
import { countPointerPresses, expectFocusVisible, pointerPresses, tabTo } from './support/keyboard.ts';
import { recordAnnouncements, timesAnnounced } from './support/liveRegions.ts';

/*
 * Issue 21: from the overview, with the keyboard alone, an operator reaches the dead letters, retries a
 * group, opens a job's trace, forces a breaker open, engages the emergency stop and resumes. Only Tab,
 * Shift+Tab, Enter, Escape and the stop's chord; a pointer press anywhere fails the test. On the way, the
 * focus is visible at every stop, and what changes is announced once, not on every tick.
 */
test('keyboard-only triage: dead letters, retry, trace, breaker, emergency stop and resume', async ({ opsdeck, host }) => {
  const { page } = opsdeck;
  await opsdeck.upstream(false);
  const ids = [`kbd-${opsdeck.stamp}-0`, `kbd-${opsdeck.stamp}-1`];
  for (const identifier of ids) await opsdeck.enqueue('e2e_upstream', { identifier });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_upstream', status: ['failed'], unresolved: true })).length).toBe(2);
  await opsdeck.upstream(true);

  // Listen from a fresh page: pointer presses, what the live regions say, and (browser host) the stats ticks pushed.
  let ticks = 0;
  page.on('websocket', (socket) => socket.on('framereceived', (frame) => void (String(frame.payload).includes('"stats.tick"') && (ticks += 1))));
  await countPointerPresses(page);
  await recordAnnouncements(page);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();

  try {
    // The first Tab offers the skip link; the navigation leads to the dead letters.
    const nav = page.getByRole('navigation', { name: 'Pages' });
    await page.keyboard.press('Tab');
    await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
    await expectFocusVisible(page);
    await tabTo(page, nav.getByRole('link', { name: /^Dead letters/ }));
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Dead letters' })).toBeVisible();

    // Retry the group: the dialog counts first, the confirmation closes it, one notice reports.
    const retryGroup = page.getByRole('row').filter({ hasText: 'e2e_upstream' }).getByRole('button', { name: /^Retry group/ });
    await tabTo(page, retryGroup);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Retry this group' });
    const confirm = dialog.getByRole('button', { name: 'Retry 2 jobs' });
    await expect(confirm).toBeEnabled();
    await tabTo(page, confirm);
    await page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    const notices = page.getByRole('region', { name: 'Notifications' });
    await expect(notices).toContainText('Retried 2 jobs.');

    // The notice's link leads to the jobs; one of them opens its trace, and Escape brings focus back.
    await tabTo(page, notices.getByRole('link', { name: 'Show e2e_upstream jobs' }));
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
    const row = page.getByRole('table', { name: 'Jobs' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: ids[0], exact: true }) });
    const open = row.getByRole('button');
    await tabTo(page, open);
    await page.keyboard.press('Enter');
    const trace = page.getByRole('dialog', { name: `Job ${ids[0]}` });
    await expect(trace.getByRole('list', { name: 'Attempts' })).toContainText('Attempt 1');
    await page.keyboard.press('Escape');
    await expect(trace).toHaveCount(0);
    await expect(open).toBeFocused();
    await expectFocusVisible(page);

    // Back up to the navigation, to the breakers: force one open.
    await tabTo(page, nav.getByRole('link', { name: 'Breakers' }), { back: true });
    await page.keyboard.press('Enter');
    const gate = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e_gate', exact: true }) });
    await tabTo(page, gate.getByRole('button', { name: 'Force open e2e_gate' }));
    await page.keyboard.press('Enter');
    await expect(gate).toContainText('force open');

    // The stop's chord, from wherever the focus is; the banner then offers the way back.
    await page.keyboard.press('Control+Shift+X');
    const banner = page.getByRole('region', { name: 'Emergency stop engaged' });
    await expect(banner).toBeVisible();
    // Stats ticks (every 2 s) go on while it is engaged; none may announce it again. Five seconds of them,
    // read off the banner's own age; on the browser host the pushed ticks are counted too.
    const engagedAt = ticks;
    await expect(banner).toContainText(/\((?:[5-9]|[1-9]\d+)s ago\)|\(\d+m \d+s ago\)/);
    if (host === 'browser') expect(ticks).toBeGreaterThanOrEqual(engagedAt + 2);
    await tabTo(page, banner.getByRole('button', { name: 'Resume' }), { back: true });
    await page.keyboard.press('Enter');
    const resume = page.getByRole('dialog', { name: 'Resume dispatch?' });
    await tabTo(page, resume.getByRole('button', { name: 'Resume dispatch' }));
    await page.keyboard.press('Enter');
    await expect(banner).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Emergency stop', exact: true })).toBeEnabled();
    await expect(page.getByRole('main')).toBeFocused();

    // Each change said once: the result of the bulk action, the breaker opening, the stop and its release.
    await expect.poll(() => timesAnnounced(page, 'Emergency stop released')).toBe(1);
    expect(await timesAnnounced(page, 'Retried 2 jobs.')).toBe(1);
    expect(await timesAnnounced(page, 'Circuit breaker e2e_gate forced open')).toBe(1);
    expect(await timesAnnounced(page, 'Emergency stop engaged')).toBe(1);
    expect(await pointerPresses(page)).toBe(0);
  } finally {
    await opsdeck.call('breakers.setMode', { service: 'e2e_gate', mode: 'auto' });
    await opsdeck.call('control.resume', {});
  }
});
