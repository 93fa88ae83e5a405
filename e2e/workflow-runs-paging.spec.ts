import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { stringify } from 'yaml';
import { callThroughPage } from './support/call.ts';
import { startConsole } from './support/serve.ts';

// Its own console and store: the runs listed are exactly the ones it started, more than one page of them.
test('the Workflows page loads runs older than the newest 50, so an old failed run is not silently left out', async ({ page }) => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-e2e-wf-paging-'));
  const registryFile = join(dir, 'registry.yaml');
  await writeFile(registryFile, stringify({ services: [{ name: 'pg_step', execution_type: 'noop' }], workflows: [{ name: 'paged', tasks: [{ name: 'only', service: 'pg_step' }] }] }));
  const opsdeck = await startConsole({ db: join(dir, 'wf.db'), registry: registryFile });
  try {
    await page.goto(opsdeck.url);
    for (let i = 0; i < 52; i++) await callThroughPage(page, 'workflows.run', { workflow: 'paged', identifier: `paged-${i}` });
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Workflows' }).click();
    const runs = page.getByRole('region', { name: 'Runs' }).getByRole('table', { name: 'Workflow runs, newest first' });
    await expect(runs.getByRole('row')).toHaveCount(51);
    await expect(runs.getByRole('button', { name: 'Show run 1 of paged' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Load older runs' }).click();
    await expect(runs.getByRole('button', { name: 'Show run 1 of paged' })).toBeVisible();
    await expect(runs.getByRole('row')).toHaveCount(53);
    await expect(page.getByRole('button', { name: 'Load older runs' })).toHaveCount(0);
  } finally {
    await opsdeck.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
