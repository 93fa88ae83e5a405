import type { Store } from '../store/store.ts';

/**
 * Pending jobs that are due, in the queues a worker takes (all of them when null): after `--until-empty`
 * found nothing runnable, these are held back by something other than time.
 */
export async function duePending(store: Store, queues: readonly string[] | null): Promise<number> {
  let due = 0;
  for (const queue of queues ?? [undefined]) {
    const scope = queue === undefined ? {} : { queue };
    // The pending count is kept, a read of one row; the scheduled ones are counted only when there are pending ones.
    const pending = await store.countJobs({ status: ['pending'], ...scope });
    if (pending > 0) due += pending - (await store.countJobs({ status: ['pending'], scheduled: true, ...scope }));
  }
  return due;
}

/** What `worker --until-empty` says as it stops beside due jobs it could not run; null when there are none. */
export function heldBackLine(due: number): string | null {
  if (due <= 0) return null;
  return `stopped with ${due} due job(s) still pending, none runnable now (held back: rate limits, breakers, paused queues, safe mode or the emergency stop, or services this registry lacks; opsdeck job ID says why)`;
}
