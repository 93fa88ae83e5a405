import os from 'node:os';
import { openStore } from '../electron/store/open.ts';
import { expect, test } from './fixtures.ts';
import { ENV, requireEnv } from './support/env.ts';

// A worker that read the console's registry file before it was edited, and got no SIGHUP since.
test("the Runners page shows the registry each worker runs; the health check names a worker whose registry is not the file's now", async ({ opsdeck }) => {
  const { page } = opsdeck;
  const id = `e2e-stale-${opsdeck.stamp}`;
  const registry = { digest: '5e1f'.repeat(16), path: requireEnv(ENV.registry), loaded_at: '2026-12-07T12:01:00.000Z' };
  const store = await openStore(opsdeck.db, { migrate: false, mustExist: true });
  try {
    await store.registerWorker({ id, host: os.hostname(), pid: 4242, version: 'e2e', concurrency: 1, queues: null, registry });
    await opsdeck.open('/runners');
    const workers = page.getByRole('table', { name: 'Workers' });
    await expect(workers.getByRole('columnheader', { name: 'Registry' })).toBeVisible();
    const row = workers.getByRole('row').filter({ has: page.getByRole('rowheader', { name: id, exact: true }) });
    const cell = row.getByRole('cell').filter({ hasText: '5e1f5e1f5e1f' });
    await expect(cell).toContainText(/^5e1f5e1f5e1f loaded \d{4}-\d\d-\d\d \d\d:\d\d/);
    await expect(cell).toHaveAttribute('title', `sha256 ${registry.digest} of ${registry.path}`);
    // Not the file this console reads now: marked, with what to do on hover, in the health check's words.
    const mark = cell.locator('.badge', { hasText: 'not the file' });
    await expect(mark).toHaveAttribute('title', new RegExp(`^worker ${id} runs registry 5e1f5e1f5e1f loaded .*: send it SIGHUP to reload \\(kill -HUP 4242 on `));

    const diagnostics = page.getByRole('region', { name: 'Diagnostics' });
    await diagnostics.getByRole('button', { name: 'Run health check' }).click();
    const check = diagnostics.getByRole('list', { name: 'Health checks', exact: true }).getByRole('listitem').filter({ hasText: /^\S*\s*registry:/ });
    await expect(check.locator('.badge')).toHaveText('warn');
    await expect(check).toContainText(new RegExp(`worker ${id} runs registry 5e1f5e1f5e1f loaded .*; the file ${registry.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is now [0-9a-f]{12}: send it SIGHUP to reload \\(kill -HUP 4242 on `));
    await opsdeck.screenshot('runners-worker-registry');
  } finally {
    // Stopped, then gone: a worker no heartbeat keeps alive must not fail the other specs' health checks.
    await store.heartbeat(id, { inFlight: 0, state: 'stopped' });
    await store.forgetWorker(id, 10_000, { user: 'e2e', host: 'e2e' });
    await store.close();
  }
});
