import { notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { fleetFacts, waitingOf } from '../jobWaitingFacts.ts';

export const jobWaiting: Handlers<'jobs.waiting'> = {
  'jobs.waiting': async (input, ctx) => {
    const job = await ctx.store.getJob(input.id);
    if (!job) throw notFound(`no job ${input.id}`);
    if (job.status !== 'pending') return { reasons: [] };
    return { reasons: await waitingOf(ctx, job, await fleetFacts(ctx)) };
  },
};
