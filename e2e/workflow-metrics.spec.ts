import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { stringify } from 'yaml';
import { z } from 'zod';
import { callThroughPage } from './support/call.ts';
import { startConsole } from './support/serve.ts';

/** One workflow that completes and one whose first task is refused, so its runs fail. */
function registry(): string {
  return stringify({
    services: [
      { name: 'wf_step', execution_type: 'noop', runner_config: { sleep_ms: 5 } },
      { name: 'wf_refuse', execution_type: 'noop', retry_config: { max_retries: 0 }, runner_config: { fail: true, fail_retryable: false, fail_message: 'refused' } },
    ],
    workflows: [
      { name: 'wf_nightly', tasks: [{ name: 'extract', service: 'wf_step' }, { name: 'load', service: 'wf_step', depends_on: ['extract'] }] },
      { name: 'wf_doomed', tasks: [{ name: 'first', service: 'wf_refuse' }] },
    ],
  });
}

async function cells(table: Locator, page: Page, workflow: string): Promise<string[]> {
  return table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: workflow, exact: true }) }).getByRole('cell').allInnerTexts();
}

// Its own console and store: the counts it checks are exactly the runs it started.
test("the Workflows page's metrics: per workflow, runs started, how they ended and the completed runs' p50/p95", async ({ page }) => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-e2e-wf-metrics-'));
  const registryFile = join(dir, 'registry.yaml');
  await writeFile(registryFile, registry());
  const opsdeck = await startConsole({ db: join(dir, 'wf.db'), registry: registryFile });
  try {
    await page.goto(opsdeck.url);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Workflows' }).click();
    const panel = page.getByRole('region', { name: 'Metrics' });
    await expect(panel.getByText('No workflow runs started in the last 24h.')).toBeVisible();

    for (let i = 0; i < 3; i++) await callThroughPage(page, 'workflows.run', { workflow: 'wf_nightly', identifier: `n-${i}` });
    await callThroughPage(page, 'workflows.run', { workflow: 'wf_doomed', identifier: 'd-0' });
    const finished = async () => {
      const runs = z.object({ runs: z.array(z.object({ status: z.string() })) }).parse(await callThroughPage(page, 'workflows.runs', {}));
      return runs.runs.filter((r) => r.status !== 'running').length;
    };
    await expect.poll(finished, { timeout: 60_000 }).toBe(4);

    const table = panel.getByRole('table', { name: 'Workflow runs started in the last 24h' });
    await expect.poll(() => cells(table, page, 'wf_nightly').then((c) => c.slice(0, 5)), { timeout: 40_000 }).toEqual(['3', '3', '0', '0', '0']);
    const nightly = await cells(table, page, 'wf_nightly');
    for (const p of nightly.slice(5, 7)) expect(p).toMatch(/^\d+ ms$|^\d\.\d\d s$|^\d+\.\d s$/);
    expect(await cells(table, page, 'wf_doomed')).toEqual(['1', '0', '1', '0', '0', '—', '—']);

    await panel.getByRole('group', { name: 'Metrics window' }).getByRole('button', { name: '7d' }).click();
    await expect(page).toHaveURL(/stats=7d/);
    await expect(panel.getByRole('table', { name: 'Workflow runs started in the last 7d' })).toBeVisible();
  } finally {
    await opsdeck.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
