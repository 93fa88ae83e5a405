import type { Store } from '../store/store.ts';

/**
 * Pending jobs that are due (later retries and scheduled jobs left out), in the queues a worker takes (all
 * of them when null), of one service or of all.
 */
export async function duePending(store: Store, queues: readonly string[] | null, service?: string): Promise<number> {
  let due = 0;
  for (const queue of queues ?? [undefined]) {
    const scope = { ...(queue === undefined ? {} : { queue }), ...(service === undefined ? {} : { service }) };
    // The pending count is kept, a read of one row; the scheduled ones are counted only when there are pending ones.
    const pending = await store.countJobs({ status: ['pending'], ...scope });
    if (pending > 0) due += pending - (await store.countJobs({ status: ['pending'], scheduled: true, ...scope }));
  }
  return due;
}
