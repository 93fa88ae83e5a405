import { tunedBreaker } from '../../../shared/breakerTuning.ts';
import { effectiveBreaker } from '../../../shared/registry.ts';
import { dispatchAllowance } from '../../engine/breakerMachine.ts';
import { notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { rateLimitUse } from '../rateUse.ts';
import { rateLimitReason, waitingReasons } from '../waitingReasons.ts';
import { WORKER_LOST_AFTER_MS } from './workers.ts';
import { NOT_IN_REGISTRY } from '../../engine/foreignServices.ts';

export const jobWaiting: Handlers<'jobs.waiting'> = {
  'jobs.waiting': async (input, ctx) => {
    const job = await ctx.store.getJob(input.id);
    if (!job) throw notFound(`no job ${input.id}`);
    if (job.status !== 'pending') return { reasons: [] };
    const service = job.service_name;
    const [control, breaker, tunings, rates, workers, attempts] = await Promise.all([
      ctx.store.getControl(),
      ctx.store.getBreaker(service),
      ctx.store.listBreakerTunings(),
      rateLimitUse(ctx),
      ctx.store.listWorkers(WORKER_LOST_AFTER_MS),
      ctx.store.listAttempts(job.id),
    ]);
    const last = attempts.at(-1);
    const now = new Date();
    const config = tunedBreaker(effectiveBreaker(ctx.registry.service(service)), tunings.find((t) => t.service_name === service));
    return {
      reasons: waitingReasons({
        job,
        now,
        control,
        breaker,
        breakerAllowance: dispatchAllowance(breaker, config, now),
        rateLimited: rateLimitReason(rates.find((r) => r.service_name === service)),
        workers,
        serviceKnownHere: ctx.registry.loadedAt === null ? null : ctx.registry.service(service) !== undefined,
        handedBackForService: last?.outcome === 'interrupted' && (last.error_message ?? '').includes(NOT_IN_REGISTRY),
      }),
    };
  },
};
