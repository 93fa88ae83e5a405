import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { stringify } from 'yaml';
import { z } from 'zod';
import { Job } from '../shared/domain.ts';
import { callThroughPage } from './support/call.ts';
import { startConsole } from './support/serve.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('./screenshots/performance.png', import.meta.url));

/** Two shell services (one exits 0, one exits 1 and is retried once) and two noop ones (one refuses every job). */
function registry(): string {
  const quiet = { failure_threshold: 1000, minimum_volume: 1000 };
  return stringify({
    services: [
      { name: 'perf_true', execution_type: 'shell', runner_config: { command: ['/bin/true'] }, security_policy: { allowed_commands: ['/bin/true'] } },
      {
        name: 'perf_false',
        execution_type: 'shell',
        runner_config: { command: ['/bin/false'] },
        security_policy: { allowed_commands: ['/bin/false'] },
        retry_config: { max_retries: 1, initial_backoff: 0.05 },
        circuit_breaker: quiet,
      },
      { name: 'perf_noop', execution_type: 'noop', runner_config: { sleep_ms: 5 } },
      { name: 'perf_reject', execution_type: 'noop', runner_config: { fail: true, fail_retryable: false, fail_message: 'perf rejected' }, circuit_breaker: quiet },
    ],
  });
}

/** Jobs of each service, and what they come to: shell 4 completed, 2 dead-lettered after one retry each; noop 3 and 1. */
const JOBS = { perf_true: 4, perf_false: 2, perf_noop: 3, perf_reject: 1 };

/** A row's cells after its header cell, as the table shows them: completed, dead-lettered, retries, success, p50, p95, p99, jobs/min. */
async function cells(table: Locator, page: Page, label: string): Promise<string[]> {
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: label, exact: true }) });
  return row.getByRole('cell').allInnerTexts();
}

/** A time as the console writes every one: year first, with its zone's offset. */
const moment = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;

// Its own console and store: the counts it checks are exactly the jobs it ran, whatever the other specs did.
test('the Performance page: per execution type and in total, the jobs a real engine finished, as the CLI counts them', async ({ page }) => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-e2e-perf-'));
  const db = join(dir, 'perf.db');
  const registryFile = join(dir, 'registry.yaml');
  await writeFile(registryFile, registry());
  const opsdeck = await startConsole({ db, registry: registryFile });
  try {
    await page.goto(opsdeck.url);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Performance' }).click();
    await expect(page).toHaveURL(/#\/performance$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Performance' })).toBeVisible();
    const panel = page.getByRole('region', { name: 'The last hour' });
    await expect(panel.getByText('No jobs finished in the last hour.')).toBeVisible();
    await expect(panel.getByText(/^Read from .* to .*whole minutes/)).toBeVisible();

    for (const [service, n] of Object.entries(JOBS)) {
      for (let i = 0; i < n; i++) await callThroughPage(page, 'jobs.enqueue', { service, identifier: `${service}-${i}` });
    }
    const finished = async () => {
      const listed = z.object({ jobs: z.array(Job) }).parse(await callThroughPage(page, 'jobs.list', { filter: { status: ['completed', 'failed'] }, limit: 100 }));
      return listed.jobs.length;
    };
    await expect.poll(finished, { timeout: 60_000 }).toBe(10);

    // The page follows the jobs as they finish, without a reload.
    const table = panel.getByRole('table', { name: 'Performance by execution type in the last hour' });
    await expect.poll(() => cells(table, page, 'All types').then((c) => c.slice(0, 4))).toEqual(['7', '3', '2', '70.0%']);
    const duration = /^\d+ ms$|^\d\.\d\d s$/;
    const shell = await cells(table, page, 'shell');
    expect(shell.slice(0, 4)).toEqual(['4', '2', '2', '66.7%']);
    const noop = await cells(table, page, 'noop');
    expect(noop.slice(0, 4)).toEqual(['3', '1', '0', '75.0%']);
    const total = await cells(table, page, 'All types');
    expect(total.slice(0, 4)).toEqual(['7', '3', '2', '70.0%']);
    for (const row of [shell, noop, total]) {
      for (const p of row.slice(4, 7)) expect(p).toMatch(duration);
      expect(row[7]).toMatch(/^0\.\d\d$/);
    }
    await expect(table.getByRole('row').filter({ has: page.getByRole('rowheader') })).toHaveCount(3);
    await expect(panel.getByText('Percentiles (p50, p95, p99) are durations of completed jobs only (failed attempts keep none), to within about 19%.')).toBeVisible();
    await expect(panel.getByText(/^Retries are failed attempts that were tried again, not jobs/)).toBeVisible();

    // The window read, from its whole minute to the read.
    const read = panel.locator('p').filter({ hasText: /^Read from/ }).locator('time');
    await expect(read).toHaveCount(2);
    const [from, to] = await read.allInnerTexts();
    expect(from).toMatch(moment);
    expect(from, 'a whole minute').toMatch(/ \d{2}:\d{2}:00(Z|[+-]\d{2}:\d{2})$/);
    expect(to).toMatch(moment);

    // The same numbers the CLI shows, from the same store.
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/opsdeck.js', 'performance', '--db', db, '--registry', registryFile], { cwd: REPO });
    const cliRow = (label: string) => (stdout.split('\n').find((line) => line.startsWith(`${label} `)) ?? '').trim().split(/ {2,}/).slice(1);
    expect(cliRow('shell').slice(0, 7)).toEqual(shell.slice(0, 7));
    expect(cliRow('noop').slice(0, 7)).toEqual(noop.slice(0, 7));
    expect(cliRow('total').slice(0, 7)).toEqual(total.slice(0, 7));

    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // A month, as far back as the history is kept by default: the same jobs, kept in the address.
    const windows = page.getByRole('group', { name: 'Performance window' });
    await expect(windows.getByRole('button', { name: '1h' })).toHaveAttribute('aria-pressed', 'true');
    await windows.getByRole('button', { name: '30d' }).click();
    await expect(page).toHaveURL(/#\/performance\?window=30d$/);
    const month = page.getByRole('region', { name: 'The last 30 days' }).getByRole('table', { name: 'Performance by execution type in the last 30 days' });
    await expect.poll(() => cells(month, page, 'All types').then((c) => c.slice(0, 4))).toEqual(['7', '3', '2', '70.0%']);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'The last 30 days' })).toBeVisible();
    await expect(windows.getByRole('button', { name: '30d' })).toHaveAttribute('aria-pressed', 'true');

    // Service by service, each with its type (the runbooks' performance of one service), and the total:
    // only once turned on, as those figures read the minute rows, and for a day at most (every service's
    // minutes of a month took seconds); the choice is kept in the address.
    const monthPanel = page.getByRole('region', { name: 'The last 30 days' });
    const rowsBy = monthPanel.getByRole('group', { name: 'Performance rows' });
    await expect(rowsBy.getByRole('button', { name: 'By type' })).toHaveAttribute('aria-pressed', 'true');
    await rowsBy.getByRole('button', { name: 'By service' }).click();
    await expect(page).toHaveURL(/#\/performance\?window=30d&by=service$/);
    await expect(monthPanel.getByText('By service covers at most the last 24 hours: choose 24h or less, or one service.')).toBeVisible();
    await expect(monthPanel.getByRole('table', { name: /^Performance by service/ })).toHaveCount(0);
    await expect(windows.getByRole('button', { name: '7d' })).toBeDisabled();
    await windows.getByRole('button', { name: '24h' }).click();
    await expect(page).toHaveURL(/#\/performance\?window=24h&by=service$/);
    const dayPanel = page.getByRole('region', { name: 'The last 24 hours' });
    const dayRowsBy = dayPanel.getByRole('group', { name: 'Performance rows' });
    const byService = dayPanel.getByRole('table', { name: 'Performance by service in the last 24 hours' });
    await expect(byService).toBeVisible();
    expect((await cells(byService, page, 'perf_true')).slice(0, 5)).toEqual(['shell', '4', '0', '0', '100.0%']);
    expect((await cells(byService, page, 'perf_false')).slice(0, 5)).toEqual(['shell', '0', '2', '2', '0.0%']);
    expect((await cells(byService, page, 'perf_reject')).slice(0, 5)).toEqual(['noop', '0', '1', '0', '0.0%']);
    expect((await cells(byService, page, 'All services')).slice(1, 5)).toEqual(['7', '3', '2', '70.0%']);

    // One service chosen: its figures alone, over any window kept, in the address beside the window, and the CLI's the same.
    await dayPanel.getByRole('combobox', { name: 'Service' }).selectOption('perf_false');
    await expect(page).toHaveURL(/#\/performance\?window=24h&by=service&service=perf_false$/);
    await windows.getByRole('button', { name: '30d' }).click();
    const one = monthPanel.getByRole('table', { name: 'Performance by execution type of perf_false in the last 30 days' });
    await expect.poll(() => cells(one, page, 'shell').then((c) => c.slice(0, 4))).toEqual(['0', '2', '2', '0.0%']);
    await expect(monthPanel.getByRole('table', { name: /^Performance by service/ })).toHaveCount(0);
    await expect(monthPanel.getByRole('group', { name: 'Performance rows' })).toHaveCount(0);
    const cliOne = await promisify(execFile)(process.execPath, ['bin/opsdeck.js', 'performance', '--since', '30d', '--service', 'perf_false', '--db', db, '--registry', registryFile], {
      cwd: REPO,
    });
    expect(cliOne.stdout).toMatch(/^shell +0 +2 +2 +0\.0% /m);
    await windows.getByRole('button', { name: '24h' }).click();
    await dayPanel.getByRole('combobox', { name: 'Service' }).selectOption('');
    await expect(page).toHaveURL(/#\/performance\?window=24h&by=service$/);
    await expect(byService).toBeVisible();
    await dayRowsBy.getByRole('button', { name: 'By type' }).click();
    await expect(page).toHaveURL(/#\/performance\?window=24h$/);
    await expect(byService).toHaveCount(0);
  } finally {
    await opsdeck.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
