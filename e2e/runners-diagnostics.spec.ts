import { z } from 'zod';
import { WorkerInfo } from '../shared/domain.ts';
import { openStore } from '../electron/store/open.ts';
import { expect, test } from './fixtures.ts';

const Workers = z.object({ workers: z.array(WorkerInfo) });

// A worker whose machine went away leaves its row behind; the console's own engine serves and took
// nothing of it to take back, so the check passes, and is worth a look until the worker is forgotten.
test('a lost worker whose jobs were all taken back passes the health check with a warn badge that says how to forget it', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const id = `e2e-gone-${opsdeck.stamp}`;
  const store = await openStore(opsdeck.db, { migrate: false, mustExist: true });
  try {
    await store.registerWorker({ id, host: 'e2e-retired-host', pid: 4242, version: '0.1.0', concurrency: 1, queues: null });
  } finally {
    await store.close();
  }
  try {
    // Lost once its heartbeat is older than the threshold: it never beats again.
    const lost = async () => Workers.parse(await opsdeck.call('workers.list', {})).workers.find((w) => w.id === id)?.lost;
    await expect.poll(lost, { timeout: 30_000, intervals: [1000] }).toBe(true);

    await opsdeck.open('/runners');
    const diagnostics = page.getByRole('region', { name: 'Diagnostics' });
    await diagnostics.getByRole('button', { name: 'Run health check' }).click();
    const check = diagnostics.getByRole('list', { name: 'Health checks', exact: true }).getByRole('listitem').filter({ hasText: `worker:${id}` });
    await expect(check.locator('.badge')).toHaveText('warn');
    await expect(check).toContainText(/lost: last heartbeat \d+s ago \(e2e-retired-host, pid 4242\)/);
    await expect(check).toContainText(`its jobs were taken back and another worker serves: opsdeck workers forget ${id}`);
    await expect(diagnostics.getByRole('status', { name: 'Health checks' })).toContainText(/\d+ worth a look\./);
  } finally {
    await opsdeck.call('workers.forget', { id });
  }
});
