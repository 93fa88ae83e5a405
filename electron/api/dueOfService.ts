import type { Store } from '../store/store.ts';

/**
 * Of a service's `pending` jobs, those due and outside the given queues: counted from the ready rows and
 * the kept counts, never the job table.
 */
export async function dueOfService(store: Store, service: string, pending: number, outside: ReadonlySet<string>): Promise<number> {
  const scheduled = await store.countJobs({ status: ['pending'], service, scheduled: true });
  let elsewhere = 0;
  for (const queue of outside) {
    const inQueue = await store.countJobs({ status: ['pending'], service, queue });
    // Its scheduled ones are already left out above.
    if (inQueue > 0) elsewhere += inQueue - (await store.countJobs({ status: ['pending'], service, queue, scheduled: true }));
  }
  return Math.max(0, pending - scheduled - elsewhere);
}
