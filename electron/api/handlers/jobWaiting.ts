import type { Handlers } from '../handlerTypes.ts';
import { fleetFacts, waitingOf } from '../jobWaitingFacts.ts';
import { jobOf } from '../jobReference.ts';

export const jobWaiting: Handlers<'jobs.waiting'> = {
  'jobs.waiting': async (input, ctx) => {
    const job = await jobOf(ctx.store, input.id);
    if (job.status !== 'pending') return { reasons: [] };
    return { reasons: await waitingOf(ctx, job, await fleetFacts(ctx)) };
  },
};
