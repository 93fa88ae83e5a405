import { RecentFailures } from '../shared/contract.ts';
import { expect, test } from './fixtures.ts';

const RETRIED = 'e2e flaky dependency refused the call';
const REJECTED = 'e2e flaky payload rejected';

test('the overview groups recent failures, retrying and dead, by window, each leading to its jobs', async ({ opsdeck }) => {
  const { page } = opsdeck;
  // What the groups held before, so the counts below are this run's whatever the shared store saw earlier.
  const counts = async (message: string) => {
    const recent = RecentFailures.parse(await opsdeck.call('failures.recent', { since_minutes: 60, service: 'e2e_flaky' }));
    const group = recent.groups.find((g) => g.sample_error === message);
    return { failures: group?.failures ?? 0, dead_lettered: group?.dead_lettered ?? 0 };
  };
  const before = { retried: await counts(RETRIED), rejected: await counts(REJECTED) };

  // Three jobs fail, retry and fail again: six failures, three of them dead-lettered. Two are refused outright.
  for (let i = 0; i < 3; i++) await opsdeck.enqueue('e2e_flaky', { identifier: `flaky-${opsdeck.stamp}-${i}` });
  for (let i = 0; i < 2; i++) {
    await opsdeck.enqueue('e2e_flaky', { identifier: `rejected-${opsdeck.stamp}-${i}`, payload: { fail_message: REJECTED, fail_retryable: false } });
  }
  const mine = async () => (await opsdeck.jobs({ service: 'e2e_flaky', status: ['failed'], unresolved: true })).filter((j) => j.identifier.includes(opsdeck.stamp));
  await expect.poll(async () => (await mine()).length).toBe(5);
  const expected = {
    retried: { failures: before.retried.failures + 6, dead_lettered: before.retried.dead_lettered + 3 },
    rejected: { failures: before.rejected.failures + 2, dead_lettered: before.rejected.dead_lettered + 2 },
  };
  await expect.poll(() => counts(RETRIED)).toEqual(expected.retried);
  await expect.poll(() => counts(REJECTED)).toEqual(expected.rejected);

  await opsdeck.open('/');
  const panel = page.getByRole('region', { name: 'Failing in the last hour' });
  await expect(panel.getByRole('heading', { name: 'Failing in the last hour' })).toBeVisible();
  const table = panel.getByRole('table', { name: /^Failed attempts in the last hour/ });
  const row = (message: string) => table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e_flaky', exact: true }) }).filter({ hasText: message });
  // The cells after the service: class, sample error, failures, dead-lettered, retried, last seen.
  const expectCounts = async (message: string, failures: number, dead: number) => {
    const cells = row(message).getByRole('cell');
    await expect(cells.nth(0)).toHaveText('noop');
    await expect(cells.nth(1)).toHaveText(message);
    await expect(cells.nth(1)).toHaveAttribute('title', message);
    await expect(cells.nth(2)).toHaveText(String(failures));
    await expect(cells.nth(3)).toHaveText(String(dead));
    await expect(cells.nth(4)).toHaveText(String(failures - dead));
    await expect(cells.nth(5)).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
  };
  await expectCounts(RETRIED, expected.retried.failures, expected.retried.dead_lettered);
  await expectCounts(REJECTED, expected.rejected.failures, expected.rejected.dead_lettered);
  await panel.scrollIntoViewIfNeeded();
  await opsdeck.screenshot('recent-failures');

  // The window switches, kept in the address; the heading and the table say which one they show.
  // Found on the page, not in the panel: the panel's name is its heading, which changes with the window.
  const windows = page.getByRole('group', { name: 'Failures window' });
  await expect(windows.getByRole('button', { name: '1h' })).toHaveAttribute('aria-pressed', 'true');
  await windows.getByRole('button', { name: '15m' }).click();
  await expect(page).toHaveURL(/failures=15m/);
  await expect(windows.getByRole('button', { name: '15m' })).toHaveAttribute('aria-pressed', 'true');
  await expect(windows.getByRole('button', { name: '1h' })).toHaveAttribute('aria-pressed', 'false');
  const quarter = page.getByRole('region', { name: 'Failing in the last 15 minutes' });
  await expect(quarter.getByRole('heading', { name: 'Failing in the last 15 minutes' })).toBeVisible();
  await expect(quarter.getByRole('table', { name: /^Failed attempts in the last 15 minutes/ }).getByRole('row').filter({ hasText: RETRIED })).toHaveCount(1);
  await windows.getByRole('button', { name: '24h' }).click();
  await expect(page).toHaveURL(/failures=24h/);
  const day = page.getByRole('region', { name: 'Failing in the last 24 hours' });
  const dayRow = day.getByRole('table', { name: /^Failed attempts in the last 24 hours/ }).getByRole('row').filter({ hasText: REJECTED });
  await expect(dayRow).toHaveCount(1);

  // A group leads to the Jobs page filtered to its service and failure class.
  const link = dayRow.getByRole('link', { name: 'e2e_flaky', exact: true });
  await expect(link).toHaveAttribute('title', 'Jobs of e2e_flaky that failed with noop');
  await link.click();
  await expect(page).toHaveURL(/#\/jobs\?service=e2e_flaky&class=noop$/);
  const filters = page.getByRole('form', { name: 'Job filters' });
  await expect(filters.getByLabel('Service')).toHaveValue('e2e_flaky');
  await expect(filters.getByLabel('Failure class')).toHaveValue('noop');
  const jobs = page.getByRole('table', { name: 'Jobs' });
  await expect(jobs.getByRole('row').filter({ hasText: `-${opsdeck.stamp}-` })).toHaveCount(5);
  await expect(jobs.getByRole('row').filter({ hasText: 'e2e_quick' })).toHaveCount(0);

  // Back on the overview, the window chosen is still the one shown.
  await page.goBack();
  await expect(page.getByRole('heading', { name: 'Failing in the last 24 hours' })).toBeVisible();
});
