import { readFile } from 'node:fs/promises';
import * as tar from 'tar';
import { z } from 'zod';
import { expect, test } from './fixtures.ts';

const AuditPage = z.object({ entries: z.array(z.object({ action: z.string(), details: z.record(z.string(), z.unknown()).nullable() })) });

test('the runbook\'s "diagnose --full" and "support-bundle" are one click each: the diagnosis on screen, the bundle downloaded and audited', async ({ opsdeck }) => {
  const { page } = opsdeck;
  await opsdeck.open('/runners');
  const diagnostics = page.getByRole('region', { name: 'Diagnostics' });

  await diagnostics.getByRole('button', { name: 'Diagnose' }).click();
  const diagnosis = diagnostics.getByRole('region', { name: 'Diagnosis' });
  await expect(diagnosis).toContainText(/opsdeck \d+\.\d+\.\d+, node \d+/);
  await expect(diagnosis).toContainText(/sqlite, server \d+\.\d+/);
  await expect(diagnostics.getByRole('list', { name: 'Health checks' }).first()).toContainText('store');
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
  await expect(diagnostics.getByRole('status').filter({ hasText: 'Downloaded' })).toContainText(/secret values are redacted/);

  const audit = AuditPage.parse(await opsdeck.call('audit.list', { action: 'support.bundle', limit: 10 }));
  expect(audit.entries.length).toBeGreaterThanOrEqual(1);
  expect(audit.entries[0]?.details?.files).toEqual(expect.arrayContaining(['diagnose.json']));
});
