import { openStore } from '../electron/store/open.ts';
import { expect, test } from './fixtures.ts';

test("the Runners page shows a worker's name (opsdeck worker --name) in a column of its own", async ({ opsdeck }) => {
  const { page } = opsdeck;
  const id = `e2e-watchdog-${opsdeck.stamp}`;
  const store = await openStore(opsdeck.db, { migrate: false, mustExist: true });
  try {
    await store.registerWorker({ id, name: 'e2e-watchdog', host: 'e2e-host', pid: 4242, version: 'e2e', concurrency: 1, queues: null });
    await opsdeck.open('/runners');
    const workers = page.getByRole('table', { name: 'Workers' });
    await expect(workers.getByRole('columnheader', { name: 'Name' })).toBeVisible();
    const row = workers.getByRole('row').filter({ has: page.getByRole('rowheader', { name: id, exact: true }) });
    await expect(row.getByRole('cell').first()).toHaveText('e2e-watchdog');
    await opsdeck.screenshot('runners-worker-name');
  } finally {
    // Stopped, then gone: a worker no heartbeat keeps alive must not fail the other specs' health checks.
    await store.heartbeat(id, { inFlight: 0, state: 'stopped' });
    await store.forgetWorker(id, 10_000, { user: 'e2e', host: 'e2e' });
    await store.close();
  }
});
