import { hostname } from 'node:os';
import type { Job, WorkerInfo } from '../../../shared/domain.ts';
import type { ApiContext } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { WORKER_LOST_AFTER_MS } from './workers.ts';
import { jobOf } from '../jobReference.ts';

/** The worker holding a job's lease, when it still answers and the lease still runs: it may yet finish the job. */
async function liveHolder(ctx: ApiContext, job: Job, now: number): Promise<WorkerInfo | null> {
  if (job.lease_owner === null) return null;
  if (job.lease_expires_at !== null && Date.parse(job.lease_expires_at) <= now) return null;
  const workers = await ctx.store.listWorkers(WORKER_LOST_AFTER_MS);
  const holder = workers.find((w) => w.id === job.lease_owner);
  if (!holder || holder.lost || holder.state === 'stopped') return null;
  // A worker of this machine whose process is gone (SIGKILL, OOM) is dead now, not in ten seconds.
  if (holder.host === hostname() && !processExists(holder.pid)) return null;
  return holder;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

export const jobFail: Handlers<'jobs.fail'> = {
  /**
   * For the job stuck `running` under a worker that died: into the dead-letter queue now rather than when
   * a watchdog notices its lease. A job a live worker holds is refused without force: that worker would
   * go on running it while the queue says it failed.
   */
  'jobs.fail': async (input, ctx) => {
    const job = await jobOf(ctx.store, input.id);
    const { id } = job;
    if (job.status !== 'running') {
      if (input.only_if_stuck) throw conflict(`job ${id} is ${job.status} now: it is no longer stuck (taken back or finished since it was listed); left as it is`);
      const hint = job.status === 'pending' ? ': cancel a pending job instead' : '';
      throw conflict(`job ${id} is ${job.status}: only a running job can be failed${hint}`);
    }
    const now = Date.now();
    // Listed as stuck a moment ago, it may have been taken back and started again since: force must not reach that run.
    if (input.only_if_stuck && (job.lease_expires_at === null || Date.parse(job.lease_expires_at) > now)) {
      throw conflict(`job ${id} is no longer stuck: it runs again under ${job.lease_owner ?? 'a worker'} with a live lease; left running`);
    }
    const holder = input.force ? null : await liveHolder(ctx, job, now);
    if (holder) {
      const age = Math.round((now - Date.parse(holder.last_heartbeat_at)) / 1000);
      throw conflict(
        `job ${id} runs on worker ${holder.id} (${holder.host}, pid ${holder.pid}), which is alive (heartbeat ${age}s ago): ` +
          `cancel it to stop it, or fail it anyway with ${ctx.words.input('jobs.fail', 'force', true)}`,
      );
    }
    const after = await ctx.store.failRunningJob(job.id, job.lease_owner, ctx.actor, input.reason);
    if (!after) throw notFound(`no job ${id}`);
    if (after.status !== 'failed') throw conflict(`job ${id} is ${after.status} now: it was not failed`);
    return after;
  },
};
