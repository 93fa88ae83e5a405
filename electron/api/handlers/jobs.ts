import type { Handlers } from '../handlerTypes.ts';
import { ApiFailure, conflict, notFound } from '../errors.ts';
import { isStuck } from '../../../shared/isStuck.ts';
import { toNewJobs } from '../toNewJobs.ts';
import { touchedJobIds } from '../../store/auditDetails.ts';
import { alreadyRequestedNote } from '../cancelNote.ts';
import { heldBy } from '../heldBy.ts';
import { jobOf } from '../jobReference.ts';

export const jobs: Handlers<'jobs.list' | 'jobs.get' | 'jobs.retry' | 'jobs.cancel' | 'jobs.enqueue' | 'jobs.enqueueMany'> = {
  'jobs.list': async (input, ctx) => {
    const page = await ctx.store.listJobs(input.filter, { limit: input.limit, after: input.after ?? null });
    return { jobs: page.items, next_cursor: page.next_cursor };
  },

  'jobs.get': async (input, ctx) => {
    const job = await jobOf(ctx.store, input.id);
    const attempts = await ctx.store.listAttempts(job.id);
    return { job, attempts, stuck: isStuck(job, Date.now()) };
  },

  'jobs.retry': async (input, ctx) => {
    const before = await jobOf(ctx.store, input.id);
    const { id } = before;
    if (before.status !== 'failed' && before.status !== 'cancelled') {
      throw conflict(`job ${id} is ${before.status}: only failed or cancelled jobs can be retried`);
    }
    const job = await ctx.store.retryJob(id, ctx.actor);
    if (!job) throw notFound(`no job ${id}`);
    if (job.status !== 'pending') throw conflict(`job ${id} is ${job.status} now: it was not retried`);
    return { ...job, ...(await heldBy(ctx, [job])) };
  },

  'jobs.cancel': async (input, ctx) => {
    const { id } = await jobOf(ctx.store, input.id);
    // The store decides under the job's lock whether the cancel changed it, and answers with the job as it is.
    const cancel = await ctx.store.cancelJob(id, ctx.actor, input.reason ?? null);
    if (!cancel) throw notFound(`no job ${id}`);
    const { job, changed, request } = cancel;
    if (changed) return { ...job, changed, cancel_request: request, note: null };
    if (job.status !== 'running' || !job.cancel_requested) throw conflict(`job ${id} is ${job.status}: only pending or running jobs can be cancelled`);
    return { ...job, changed, cancel_request: request, note: alreadyRequestedNote(request, new Date()) };
  },

  'jobs.enqueue': async (input, ctx) => {
    const { service, ...item } = input;
    const jobs = toNewJobs(ctx, service, [item]);
    const [result] = await ctx.store.enqueue(jobs);
    if (!result) throw new ApiFailure('internal', 'the store returned no job for the enqueue');
    if (result.created) {
      // Targeted by id, as job.retry, job.cancel and job.fail are: the one name of a job every command takes
      // and no later job reuses; the identifier is in the details, where a search finds it.
      await ctx.store.audit({ actor: ctx.actor, action: 'job.enqueue', target: String(result.id), job_count: 1, details: { service, identifier: result.identifier } });
    }
    // A job that existed already is said as it was found: what holds it is its own status's to say.
    return { ...result, ...(result.created ? await heldBy(ctx, jobs) : {}) };
  },

  'jobs.enqueueMany': async (input, ctx) => {
    const jobs = toNewJobs(ctx, input.service, input.jobs);
    const results = await ctx.store.enqueue(jobs);
    const created = results.filter((r) => r.created).length;
    if (created > 0) {
      await ctx.store.audit({
        actor: ctx.actor,
        action: 'job.enqueue',
        target: input.service,
        job_count: created,
        details: { service: input.service, submitted: input.jobs.length, ...touchedJobIds(results.filter((r) => r.created).map((r) => r.id)) },
      });
    }
    return { jobs: results, created, ...(await heldBy(ctx, jobs.filter((_job, i) => results[i]?.created === true))) };
  },
};
