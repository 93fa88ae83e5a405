import { expect, test } from './fixtures.ts';

test('triage a dead-letter group by retry and see its jobs complete', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.upstream(false);
  for (let i = 0; i < 3; i++) await opsdeck.enqueue('e2e_upstream', { identifier: `triage-${opsdeck.stamp}-${i}` });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_upstream', status: ['failed'], unresolved: true })).length).toBe(3);

  // The upstream recovers; the operator sends the group back.
  await opsdeck.upstream(true);
  await opsdeck.open('/dlq');
  const group = page.getByRole('row').filter({ hasText: 'e2e_upstream' });
  await expect(group.getByRole('cell').first()).toHaveText('3');
  await group.getByRole('button', { name: /^Retry group/ }).click();

  const dialog = page.getByRole('dialog', { name: 'Retry this group' });
  await expect(dialog).toContainText('This will retry 3 jobs.');
  // Which group, in its own words: many groups show the same count.
  await expect(dialog.getByText(await group.getByRole('rowheader').innerText(), { exact: true })).toBeVisible();
  await dialog.getByRole('button', { name: 'Retry 3 jobs' }).click();
  // The dialog closes; the result is reported once, by a notice that leads to the jobs.
  await expect(dialog).toHaveCount(0);
  const notice = page.getByRole('region', { name: 'Notifications' });
  await expect(notice).toContainText('Retried 3 jobs.');
  await expect(page.getByRole('row').filter({ hasText: 'e2e_upstream' })).toHaveCount(0);

  // Its jobs run again and complete, seen in the jobs table the notice links to.
  await notice.getByRole('link', { name: 'Show e2e_upstream jobs' }).click();
  await expect(page).toHaveURL(/#\/jobs\?service=e2e_upstream$/);
  const table = page.getByRole('table', { name: 'Jobs' });
  for (let i = 0; i < 3; i++) await expect(table.getByRole('row').filter({ hasText: `triage-${opsdeck.stamp}-${i}` })).toContainText('completed');
  await opsdeck.screenshot('dlq-triage');
});

test('a search that matches no dead letter says none match, and how many are open', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.upstream(false);
  const dead = await opsdeck.enqueue('e2e_upstream', { identifier: `unmatched-${opsdeck.stamp}` });
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_upstream', status: ['failed'], unresolved: true })).length).toBeGreaterThan(0);
  await opsdeck.upstream(true);
  try {
    await opsdeck.open('/dlq?q=%25');
    await expect(page.getByRole('heading', { name: /^Groups · 0 match \([1-9]\d* open\)$/ })).toBeVisible();
    await expect(page.getByText('No dead letter matches this text.')).toBeVisible();
  } finally {
    // The specs share one store: a dead letter left open would be counted by the next that counts them.
    await opsdeck.call('dlq.resolve', { selector: { job_ids: [dead.id] }, note: 'e2e: only here to be left out of a search' });
  }
});
