import { newBreakerRecord } from '../shared/breakerRecord.ts';
import { openStore } from '../electron/store/open.ts';
import { z } from 'zod';
import { expect, test } from './fixtures.ts';

test('force a breaker open and see its jobs wait, then release it', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.open('/breakers');
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e_gate', exact: true }) });
  await row.getByRole('button', { name: 'Force open e2e_gate' }).click();
  await expect(row).toContainText('force open');
  await expect(row.getByRole('button', { name: 'Force open e2e_gate' })).toBeDisabled();

  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await opsdeck.enqueue('e2e_gate', { identifier: `gate-${opsdeck.stamp}-${i}` })).id);
  // The breaker's jobs wait: shown on its row, and still pending after the engine had time to run them.
  await expect(row.getByRole('cell').nth(4)).toHaveText('3');
  await page.waitForTimeout(2500);
  expect((await opsdeck.jobs({ service: 'e2e_gate' })).map((j) => j.status)).toEqual(['pending', 'pending', 'pending']);
  await opsdeck.screenshot('breaker-force-open');
  // Dispatch works, yet these jobs wait: the overview says so as the dispatch check's warning, not as a failure.
  await opsdeck.open('/');
  const waiting = page.getByRole('region', { name: 'Due jobs are waiting to be dispatched' });
  await expect(waiting).toContainText(/\d+ job\(s\) due: 3 held by the circuit breaker of e2e_gate \(/);
  await expect(waiting.locator('.badge')).toHaveText('warn');
  await expect(page.getByRole('region', { name: 'Due jobs are not being dispatched' })).toHaveCount(0);
  // The job's drawer says why it waits, and what lifts it.
  await opsdeck.open(`/jobs?job=${ids[0]}`);
  await expect(page.getByRole('status').filter({ hasText: 'Waiting:' })).toContainText('the circuit breaker of e2e_gate is forced open (Reset beside e2e_gate on the Breakers page)');
  await opsdeck.open('/breakers');

  await row.getByRole('button', { name: 'Auto e2e_gate' }).click();
  await expect.poll(async () => (await opsdeck.jobs({ service: 'e2e_gate', status: ['completed'] })).length).toBe(3);
  await expect(row.getByRole('cell').nth(4)).toHaveText('0');
});

test('reset every breaker at once, with a reason, each change in the audit log', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.open('/breakers');
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e_gate', exact: true }) });
  await row.getByRole('button', { name: 'Force open e2e_gate' }).click();
  await expect(row).toContainText('force open');

  // Other tests leave breakers tripped or forced: the dialog counts those a reset changes, as the server reckons them.
  const Breakers = z.object({ breakers: z.array(z.object({ reset_clears: z.boolean() })) });
  const clears = Breakers.parse(await opsdeck.call('breakers.list', {})).breakers.filter((b) => b.reset_clears).length;
  expect(clears).toBeGreaterThanOrEqual(1);
  await page.getByRole('button', { name: 'Reset all…' }).click();
  const dialog = page.getByRole('dialog', { name: `Reset ${clears} circuit breaker${clears === 1 ? '' : 's'}`, exact: true });
  await dialog.getByLabel(/Reason/).fill(`e2e ${opsdeck.stamp}: upstream recovered`);
  await dialog.getByRole('button', { name: 'Reset all' }).click();
  await expect(dialog).toBeHidden();
  // Counted as the audit log has them: the breakers the reset changed, not those already closed with nothing to clear.
  await expect(page.getByText(/^Reset \d+ circuit breakers?: automatic and closed\./)).toBeVisible();
  await expect(row).not.toContainText('force open');
  await expect(row.getByRole('button', { name: 'Force open e2e_gate' })).toBeEnabled();
  // Back in auto, who reset it (and why) no longer describes the breaker: the Mode cell says auto alone.
  await expect(row.getByRole('cell').nth(1)).toHaveText('auto');

  await opsdeck.open('/audit');
  await expect(page.getByRole('row').filter({ hasText: `e2e ${opsdeck.stamp}: upstream recovered` }).first()).toBeVisible();
});

test('force every breaker closed and back to automatic at once: the dialog counts those that will change, each change audited', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const Breakers = z.object({ breakers: z.array(z.object({ service_name: z.string(), mode: z.string() })) });
  const modes = async () => Breakers.parse(await opsdeck.call('breakers.list', {})).breakers;
  await opsdeck.call('breakers.setModeAll', { mode: 'auto' });
  await opsdeck.call('breakers.setMode', { service: 'e2e_gate', mode: 'force_closed', reason: 'set first' });
  const total = (await modes()).length;
  try {
    await opsdeck.open('/breakers');
    await page.getByRole('button', { name: 'Force all closed…' }).click();
    // e2e_gate is forced closed already: the dialog names the others only.
    const dialog = page.getByRole('dialog', { name: `Force ${total - 1} circuit breaker${total - 1 === 1 ? '' : 's'} closed` });
    await expect(dialog).toContainText('1 already forced closed keeps who set it and why.');
    await dialog.getByLabel(/Reason/).fill(`e2e ${opsdeck.stamp}: every upstream flaps`);
    await dialog.getByRole('button', { name: 'Force closed' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.locator('.notice-text').getByText(`Forced ${total - 1} circuit breakers closed. 1 circuit breaker already forced closed: left as it was.`)).toBeVisible();
    expect((await modes()).every((b) => b.mode === 'force_closed')).toBe(true);
    await expect(page.getByRole('button', { name: 'Force all closed…' })).toBeDisabled();

    await opsdeck.open('/audit');
    await expect(page.getByRole('row').filter({ hasText: `e2e ${opsdeck.stamp}: every upstream flaps` })).toHaveCount(total - 1);

    await opsdeck.open('/breakers');
    await page.getByRole('button', { name: 'All automatic…' }).click();
    const back = page.getByRole('dialog', { name: `Return ${total} circuit breakers to automatic` });
    await back.getByRole('button', { name: 'Return to automatic' }).click();
    await expect(page.locator('.notice-text').getByText(`Returned ${total} circuit breakers to automatic.`)).toBeVisible();
    expect((await modes()).every((b) => b.mode === 'auto')).toBe(true);
  } finally {
    await opsdeck.call('breakers.setModeAll', { mode: 'auto' });
  }
});

test('a half-open breaker no job has come to probe says since when, what it waits for, and how to check the service by hand', async ({ opsdeck }) => {
  const { page } = opsdeck;
  // Half-open a minute ago, left closed as long: short of the example registry's breaker-open alert.
  const since = new Date(Date.now() - 60_000).toISOString();
  const store = await openStore(opsdeck.db, { migrate: false, mustExist: true });
  try {
    const stored = (await store.getBreaker('e2e_gate')) ?? newBreakerRecord('e2e_gate', new Date());
    const halfOpen = { ...stored, state: 'half_open' as const, mode: 'auto' as const, opened_at: since, left_closed_at: since, last_transition_at: since, probes_in_flight: 0, probe_started_at: null, version: stored.version + 1 };
    expect(await store.saveBreaker(halfOpen, null)).toBe(true);
  } finally {
    await store.close();
  }
  await opsdeck.open('/breakers');
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e_gate', exact: true }) });
  await expect(row.getByRole('cell').nth(3)).toContainText(
    /half-open since \S.*, waiting for a job of e2e_gate to probe it: check it by hand with Run health check under Diagnostics on the Runners page \(its runner:noop\), and once it passes, Reset beside e2e_gate on the Breakers page closes it/,
  );
  await expect(row.getByRole('cell').nth(3)).not.toContainText('opsdeck ');
  await opsdeck.screenshot('breaker-half-open-waiting');
  // The button the advice names is where it says, and checks what it says.
  await opsdeck.open('/runners');
  await page.getByRole('region', { name: 'Diagnostics' }).getByRole('button', { name: 'Run health check' }).click();
  await expect(page.getByRole('list', { name: 'Health checks' }).getByRole('listitem').filter({ hasText: 'runner:noop' })).toBeVisible();
  await opsdeck.open('/breakers');
  await row.getByRole('button', { name: 'Reset e2e_gate' }).click();
  await expect(row).not.toContainText('waiting for a job');
});

// Runbook 000: an operator read "0/3 (0 calls)" on a breaker that had just opened, and its last error eight characters a line.
test('an open breaker says since when and its next probe, not its emptied window; its last error reads in lines of words', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.enqueue('e2e_tripping', { identifier: `trip-${opsdeck.stamp}` });
  const Breakers = z.object({ breakers: z.array(z.object({ service_name: z.string(), state: z.string() })) });
  const state = async () => Breakers.parse(await opsdeck.call('breakers.list', {})).breakers.find((b) => b.service_name === 'e2e_tripping')?.state;
  await expect.poll(state, { timeout: 20_000 }).toBe('open');
  try {
    await opsdeck.open('/breakers');
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e_tripping', exact: true }) });
    const cells = row.getByRole('cell');
    await expect(cells.nth(2)).toContainText(/^opened \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    await expect(cells.nth(2)).not.toContainText('calls');
    await expect(cells.nth(3)).toHaveText(/^in \d+m \d+s$/);

    const lastError = row.locator('td.error-cell');
    await expect(lastError).toHaveAttribute('title', /^shell job failed: '\/app\/script\.py' exited 2 after reading .*\(permission denied\)$/);
    // Wide enough for words: the column is at least 28 characters wide, and no word is cut in two.
    // The cell's width, 28 characters' width in its font, and on how many lines '/app/script.py' lies.
    const layout = await lastError.evaluate((cell) => {
      const page = cell.ownerDocument;
      const probe = page.createElement('span');
      probe.style.cssText = 'display:inline-block;width:28ch';
      cell.append(probe);
      const minimum = probe.getBoundingClientRect().width;
      probe.remove();
      const word = "'/app/script.py'";
      const text = cell.firstChild;
      const at = text?.textContent?.indexOf(word) ?? -1;
      const range = page.createRange();
      if (text && at >= 0) {
        range.setStart(text, at);
        range.setEnd(text, at + word.length);
      }
      return { width: cell.getBoundingClientRect().width, minimum, linesOfPath: range.getClientRects().length };
    });
    expect(layout.width).toBeGreaterThanOrEqual(layout.minimum);
    expect(layout.linesOfPath, "'/app/script.py' on one line").toBe(1);
    await opsdeck.screenshot('breaker-open-last-error');
  } finally {
    await opsdeck.call('breakers.setMode', { service: 'e2e_tripping', mode: 'reset' });
  }
});
