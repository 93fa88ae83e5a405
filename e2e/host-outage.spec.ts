import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { findingsInBothThemes, report } from './support/axe.ts';
import { startConsole } from './support/serve.ts';

// Its own console, for its host is stopped under it: every call from the page then fails at the network.
test('a console whose opsdeck serve stopped says its host stopped answering and needs restarting, not that the store is unavailable', async ({ page }) => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-e2e-host-'));
  const opsdeck = await startConsole({ db: join(dir, 'host.db') });
  try {
    await page.goto(opsdeck.url);
    await expect(page.getByRole('region', { name: 'Welcome to opsdeck' })).toBeVisible();
    await opsdeck.stop();
    // A page of its own asks the host at once, rather than on the overview's next refresh.
    await page.goto(`${opsdeck.origin}/#/jobs`);
    const banner = page.getByRole('alert').filter({ hasText: 'Host not answering' });
    await expect(banner).toContainText("the console's host, opsdeck serve, stopped answering; the data shown is as of");
    await expect(banner).toContainText('If it does not come back, restart opsdeck serve');
    await expect(banner).not.toContainText('clears by itself');
    await expect(page.getByText('Store unavailable')).toHaveCount(0);
    // The banner is an alert over a page of stale data: it must be as readable as the rest, in both themes.
    const findings = await findingsInBothThemes(page, 'host not answering');
    expect(findings, report(findings)).toEqual([]);
  } finally {
    await opsdeck.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
