import { conflict, notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { lostLeases } from '../lostLeases.ts';
import { workerView } from '../workerView.ts';

/** Engines heartbeat every 2 s; five missed beats and a worker counts as lost. */
export const WORKER_LOST_AFTER_MS = 10_000;

function secondsAgo(iso: string): number {
  return Math.round((Date.now() - Date.parse(iso)) / 1000);
}

export const workers: Handlers<'workers.list' | 'workers.forget'> = {
  'workers.list': async (_input, ctx) => {
    const list = await ctx.store.listWorkers(WORKER_LOST_AFTER_MS);
    return { workers: list.map(workerView), lost_leases: await lostLeases(ctx.store, list) };
  },

  // A worker forgotten while it still holds jobs would hide jobs nobody runs: the store refuses it then.
  'workers.forget': async (input, ctx) => {
    const result = await ctx.store.forgetWorker(input.id, WORKER_LOST_AFTER_MS, ctx.actor);
    if (!result) throw notFound(`no worker ${input.id} (${ctx.words.call('workers.list')} lists them)`);
    const { worker } = result;
    if (result.outcome === 'alive') {
      throw conflict(`worker ${worker.id} is alive (heartbeat ${secondsAgo(worker.last_heartbeat_at)}s ago): only a lost or stopped worker can be forgotten`);
    }
    if (result.outcome === 'holds_jobs') {
      throw conflict(
        `worker ${worker.id} still holds ${result.jobs} running job(s) whose leases were not taken back yet: a live worker takes them back once they expire; forget it after`,
      );
    }
    return { forgotten: workerView(worker) };
  },
};
