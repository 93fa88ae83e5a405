import { z } from 'zod';
import type { ClaimedJob } from '../electron/store/store.ts';
import { openStore } from '../electron/store/open.ts';
import { expect, test } from './fixtures.ts';

const Audit = z.object({ entries: z.array(z.object({ action: z.string(), target: z.string().nullable() })) });

// A job running on a worker elsewhere (one this console cannot stop for it): Cancel asks that worker to
// stop it, and a second Cancel, from this console or another, says it was asked already and changes nothing.
test('cancelling a running job a second time says who asked and when, and that nothing changed', async ({ opsdeck }) => {
  const { page } = opsdeck;
  const service = `e2e_elsewhere_${opsdeck.stamp}`;
  const queue = `elsewhere-${opsdeck.stamp}`;
  const identifier = `stop-me-${opsdeck.stamp}`;
  const workerId = `e2e-elsewhere-${opsdeck.stamp}`;
  const store = await openStore(opsdeck.db, { migrate: false, mustExist: true });
  let held: ClaimedJob | undefined;
  try {
    await store.enqueue([{ identifier, queue, service_name: service, execution_type: 'noop', max_attempts: 1 }]);
    // The console's own engine lacks the service: it may take the job once and hands it back unrun.
    await expect.poll(async () => (held ??= (await store.claim({ workerId, limit: 1, leaseMs: 120_000, queues: [queue] }))[0])?.id).toBeDefined();
  } finally {
    await store.close();
  }
  try {
    await opsdeck.open(`/jobs?service=${service}`);
    await page.getByRole('table', { name: 'Jobs' }).getByRole('button', { name: String(held?.id), exact: true }).click();
    const drawer = page.getByRole('dialog', { name: `Job ${identifier}` });
    const notices = page.getByRole('region', { name: 'Notifications' });
    await drawer.getByRole('button', { name: 'Cancel job' }).click();
    await expect(notices).toContainText(`Job ${identifier} asked to stop.`);
    // The notice sits over the drawer's footer: dismissed, as an operator would before clicking there again.
    await notices.getByRole('button', { name: 'Dismiss notification' }).click();

    await drawer.getByRole('button', { name: 'Cancel job' }).click();
    await expect(notices).toContainText(new RegExp(`Job ${identifier}: cancel already requested at .+ \\(\\d+s ago\\) by \\S+; nothing changed\\.`));
    const audit = Audit.parse(await opsdeck.call('audit.list', { action: 'job.cancel', limit: 50 }));
    expect(audit.entries.filter((e) => e.target === String(held?.id))).toHaveLength(1);
  } finally {
    // The worker elsewhere stops it, as asked.
    const again = await openStore(opsdeck.db, { migrate: false, mustExist: true });
    try {
      if (held) await again.settle([{ jobId: held.id, attemptId: held.attempt_id, workerId, kind: 'cancelled', reason: 'cancelled by an operator', ran: false }]);
    } finally {
      await again.close();
    }
  }
});
