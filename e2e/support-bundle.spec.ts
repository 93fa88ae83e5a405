import { readFile } from 'node:fs/promises';
import * as tar from 'tar';
import { z } from 'zod';
import { expect, test } from './fixtures.ts';
import { findingsInBothThemes, report } from './support/axe.ts';

const AuditPage = z.object({ entries: z.array(z.object({ action: z.string(), details: z.record(z.string(), z.unknown()).nullable() })) });

test('the runbook\'s "diagnose --full" and "support-bundle" are one click each: the diagnosis on screen, the bundle downloaded and audited', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.open('/runners');
  const diagnostics = page.getByRole('region', { name: 'Diagnostics' });

  await diagnostics.getByRole('button', { name: 'Diagnose' }).click();
  const diagnosis = diagnostics.getByRole('region', { name: 'Diagnosis' });
  await expect(diagnosis).toContainText(/opsdeck \d+\.\d+\.\d+, node \d+/);
  await expect(diagnosis).toContainText(/sqlite, server \d+\.\d+/);
  await expect(diagnosis.getByRole('list', { name: 'Diagnosis health checks' })).toContainText('store');
  await opsdeck.screenshot('diagnosis');

  const downloading = page.waitForEvent('download');
  await diagnostics.getByRole('button', { name: 'Download support bundle' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^opsdeck-support-.+\.tar\.gz$/);
  const saved = await download.path();
  const bytes = await readFile(saved);
  expect([...bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
  const names: string[] = [];
  await tar.t({ file: saved, onReadEntry: (entry) => names.push(entry.path) });
  expect(names).toEqual(expect.arrayContaining(['diagnose.json', 'registry.yaml', 'failures.json', 'audit.json', 'README.txt']));
  await expect(diagnostics.getByRole('status').filter({ hasText: 'handed to the browser' })).toContainText(/secret values are redacted/);

  await diagnostics.getByRole('button', { name: 'Run health check' }).click();
  await expect(diagnostics.getByRole('list', { name: 'Health checks', exact: true })).toContainText('store');
  const found = await findingsInBothThemes(page, 'Runners, a diagnosis, a health check and a bundle shown');
  expect(found, report(found)).toEqual([]);

  const audit = AuditPage.parse(await opsdeck.call('audit.list', { action: 'support.bundle', limit: 10 }));
  expect(audit.entries.length).toBeGreaterThanOrEqual(1);
  expect(audit.entries[0]?.details?.files).toEqual(expect.arrayContaining(['diagnose.json']));
});

test('a bundle asked for just before leaving the page is still downloaded, as the audit log says it was made', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.open('/runners');
  // Packing a big store takes seconds: the answer is held back to stand for that.
  await page.route('**/api/call/support.bundle', async (route) => {
    const response = await route.fetch();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await route.fulfill({ response });
  });
  const downloading = page.waitForEvent('download', { timeout: 15_000 });
  await page.getByRole('region', { name: 'Diagnostics' }).getByRole('button', { name: 'Download support bundle' }).click();
  await opsdeck.open('/jobs');
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^opsdeck-support-.+\.tar\.gz$/);
});
