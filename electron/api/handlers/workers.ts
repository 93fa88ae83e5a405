import type { Handlers } from '../handlerTypes.ts';

/** Engines heartbeat every 2 s; five missed beats and a worker counts as lost. */
export const WORKER_LOST_AFTER_MS = 10_000;

export const workers: Handlers<'workers.list'> = {
  'workers.list': async (_input, ctx) => ({ workers: await ctx.store.listWorkers(WORKER_LOST_AFTER_MS) }),
};
