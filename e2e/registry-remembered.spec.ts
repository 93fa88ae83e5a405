import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openStore } from '../electron/store/open.ts';
import { startConsole } from './support/serve.ts';

// npm start after Load demo: the restarted console loads the demo's registry again, so its jobs run and
// the overview has nothing to warn of.
test('npm start loads again the registry last loaded on its store: the demo restarted runs on', async ({ page }) => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-e2e-remembered-'));
  const db = join(dir, 'demo.db');
  const npmStart = { dataDir: join(dir, 'data') };
  try {
    const first = await startConsole({ db, npmStart });
    try {
      await page.goto(first.url);
      await page.getByRole('region', { name: 'Welcome to opsdeck' }).getByRole('button', { name: 'Load demo' }).click();
      await expect(page.getByRole('region', { name: 'Welcome to opsdeck' })).toHaveCount(0);
    } finally {
      await first.stop();
    }
    const again = await startConsole({ db, npmStart });
    try {
      await page.goto(again.url);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Settings' }).click();
      await expect(page.getByRole('region', { name: 'Service registry' })).toContainText('examples/registry.yaml');
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Overview' }).click();
      const completed = page.getByRole('list', { name: 'Key figures' }).getByRole('listitem').filter({ hasText: 'Completed (1h)' }).locator('.tile-value');
      await expect.poll(async () => Number((await completed.innerText()).replace(/\D/g, ''))).toBeGreaterThan(0);
      await expect(page.getByRole('region', { name: 'Due jobs are not being dispatched' })).toHaveCount(0);
    } finally {
      await again.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// A console whose registry lacks the services of the jobs pending (one started without the registry its
// jobs were enqueued with): its engine hands each back, and the overview says why nothing runs them.
test("the overview warns of due jobs no live worker's registry has a service for, in the dispatch check's words", async ({ page }) => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-e2e-undispatched-'));
  const db = join(dir, 'left.db');
  try {
    const store = await openStore(db);
    await store.enqueue([1, 2].map((n) => ({ identifier: `left-${n}`, queue: 'billing', service_name: 'billing_webhook', execution_type: 'noop' as const, max_attempts: 3, payload: {} })));
    await store.close();
    const opsdeck = await startConsole({ db });
    try {
      await page.goto(opsdeck.url);
      const warning = page.getByRole('region', { name: 'Due jobs are not being dispatched' });
      await expect(warning).toContainText("no live worker's registry has service billing_webhook (2 due)");
      await expect(warning.getByRole('link', { name: 'the Runners page' })).toBeVisible();
    } finally {
      await opsdeck.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
