import type { Job } from '../../shared/domain.ts';
import type { Logger } from '../log/logger.ts';
import { failedByOperator } from '../store/failedByOperator.ts';
import type { Store } from '../store/store.ts';
import { giveUpLease, stopUnreached, type Running } from './running.ts';
import type { StoreContact } from './storeContact.ts';
import { answerWithin } from './waits.ts';

/** How often a worker extends its leases: each third of a lease, so one failed extension leaves two thirds. */
export function extendEveryMs(leaseMs: number): number {
  return Math.max(50, Math.floor(leaseMs / 3));
}

/** What extending a worker's leases reads and changes of its dispatcher. */
export interface LeaseHolder {
  store: Store;
  workerId: string;
  leaseMs: number;
  log: Logger;
  /** Started jobs by job id. */
  executing: Map<number, Running>;
  /** Claimed ahead, not started, by job id. */
  buffer: Map<number, Running>;
  /** Finished, result not yet recorded: its lease must still be kept alive. */
  unsettled(): Iterable<Running>;
  /** Hands back every job claimed ahead, attempt not spent. */
  releaseBuffered(reason: string): void;
  /** Told whether the store answered. */
  contact: Pick<StoreContact, 'failed' | 'answered'>;
}

/**
 * Extends every lease the worker holds; a job whose lease is gone was reclaimed: stop it, drop it.
 * When the store does not confirm the extension in time, jobs whose lease is about to run out are
 * stopped (see fenceUnconfirmed); so are they when this worker itself asks too late (see answerBudget).
 */
export async function extendLeases(h: LeaseHolder): Promise<void> {
  const ids = [...new Set([...h.executing.keys(), ...h.buffer.keys(), ...[...h.unsettled()].map((r) => r.job.id)])];
  if (ids.length === 0) return;
  const sentAt = Date.now();
  const budget = answerBudget(h.leaseMs, soonestLease(h), sentAt);
  const stoppedLate = budget.late ? stopLate(h, sentAt) : [];
  let held: Set<number>;
  try {
    held = new Set(await answerWithin(h.store.extendLeases(h.workerId, ids, h.leaseMs), budget.ms, 'extending leases'));
  } catch (error) {
    h.contact.failed(error, sentAt);
    fenceUnconfirmed(h, Date.now());
    throw error;
  }
  h.contact.answered();
  for (const id of held) {
    const running = h.executing.get(id) ?? h.buffer.get(id);
    if (running) running.leaseUntil = sentAt + h.leaseMs;
  }
  const lost = new Set(ids.filter((id) => !held.has(id)));
  if (lost.size === 0) return;
  for (const id of lost) h.buffer.delete(id);
  const stopped: Running[] = [];
  for (const id of lost) {
    // One stopped late is explained too: the answer says whether it was taken, and by whom. It may have
    // ended, and left the running jobs, while the answer was on its way.
    const late = stoppedLate.find((r) => r.job.id === id);
    const running = late ?? h.executing.get(id);
    if (!running || (running.leaseLost && !late)) continue;
    giveUpLease(running);
    stopped.push(running);
  }
  // Stopped first, explained after and apart: the reason is read from the store, and the next extension
  // (and the fencing of every other job) must never wait on that read.
  if (stopped.length > 0) void explainLost(h, stopped);
}

/** Lost leases explained one by one, each with a read of its job; past this many, one line for the rest. */
const EXPLAINED_AT_MOST = 10;
/** How long the reads that explain may take in all; past it, the rest say the store could not say. */
const EXPLAIN_WITHIN_MS = 2000;

async function explainLost(h: LeaseHolder, stopped: Running[]): Promise<void> {
  const explained = stopped.slice(0, EXPLAINED_AT_MOST);
  const reads = answerWithin(Promise.all(explained.map((r) => h.store.getJob(r.job.id))), EXPLAIN_WITHIN_MS, 'reading jobs this worker lost').catch(() => null);
  const now = await reads;
  explained.forEach((running, i) => {
    h.log.warn(`stopped a job taken from this worker: ${whyLost(now ? now[i] : undefined, h.workerId)}`, { job_id: running.job.id, service: running.job.service_name });
  });
  if (stopped.length > EXPLAINED_AT_MOST) {
    h.log.warn('stopped more jobs taken from this worker', { jobs: stopped.length - EXPLAINED_AT_MOST, job_ids: stopped.slice(EXPLAINED_AT_MOST, EXPLAINED_AT_MOST + 20).map((r) => r.job.id) });
  }
}

/**
 * Why a job's lease is no longer this worker's, from what the store says of the job now (undefined: the
 * store could not say). An operator failing or cancelling a running job is as likely as the watchdog,
 * and a log that blamed another worker would send the operator looking for one.
 */
export function whyLost(job: Pick<Job, 'status' | 'lease_owner' | 'error_message' | 'error_fingerprint'> | null | undefined, workerId: string): string {
  if (job === undefined) return 'its lease is gone (the store could not say why)';
  if (job === null) return 'the job was deleted';
  switch (job.status) {
    case 'running':
      return job.lease_owner === workerId
        ? 'its lease is gone'
        : `worker ${job.lease_owner ?? 'unknown'} runs it now: the watchdog took it back, or an operator ended it and retried it`;
    case 'pending':
      return 'it waits for another attempt: the watchdog took it back after its lease ran out, or an operator ended it and retried it';
    case 'completed':
      return 'it was taken back and completed on another attempt';
    case 'failed':
      // Its message names who failed it and why.
      if (failedByOperator(job) && job.error_message) return job.error_message;
      return `an operator or the watchdog ended it while it ran (now ${job.status})`;
    case 'cancelled':
      return `an operator or the watchdog ended it while it ran (now ${job.status})`;
    default:
      return `it is ${job.status} now`;
  }
}

/**
 * How long to wait for the store to confirm: a third of a lease (the next extension is due then), but
 * never past a sixth of a lease before the soonest confirmed lease of a started job ends. After one fast
 * failure that lease has only a third left, and an answer awaited for a whole third would time out just
 * as it ran out, too late to stop the job before another worker's watchdog may take it.
 *
 * When that point has passed before the worker even asked, the worker was late, not the store: it was
 * suspended (SIGSTOP, a paused VM) or its event loop was blocked, and no extension failed meanwhile. A
 * budget of nothing left would blame a store that had no time to answer. The jobs that may run out are
 * stopped before asking instead (stopLate), and the answer gets a third of a lease to say which of them
 * were taken from this worker.
 */
export function answerBudget(leaseMs: number, soonestLease: number, sentAt: number): { ms: number; late: boolean } {
  const beforeMargin = soonestLease - leaseMs / 6 - sentAt;
  if (beforeMargin <= 0) return { ms: leaseMs / 3, late: true };
  return { ms: Math.min(leaseMs / 3, beforeMargin), late: false };
}

/**
 * When the soonest confirmed lease of a started job ends, in epoch ms; Infinity with none. A job already
 * stopped because the store did not confirm it needs no stopping in time: it is left out.
 */
function soonestLease(h: LeaseHolder): number {
  let soonest = Infinity;
  for (const running of h.executing.values()) if (!running.leaseLost && running.unreachedForMs === null) soonest = Math.min(soonest, running.leaseUntil);
  return soonest;
}

/**
 * Jobs claimed ahead go back, attempt not spent, and the started jobs whose confirmed lease ends within
 * half a lease are returned: the ones to stop now.
 */
function dueToStop(h: LeaseHolder, now: number, reason: string): Running[] {
  const margin = h.leaseMs / 2;
  h.releaseBuffered(reason);
  return [...h.executing.values()].filter((running) => !running.leaseLost && running.leaseUntil - margin <= now);
}

/**
 * This worker was held up past the margin of its leases, with nothing stopped in time: it stops what
 * may run out now, its result to be dropped, since the store's answer may come too late and say the job
 * was taken meanwhile (the watchdog records the attempt lost and the job runs again).
 */
function stopLate(h: LeaseHolder, now: number): Running[] {
  const stopped = dueToStop(h, now, 'worker held up past its leases');
  for (const running of stopped) giveUpLease(running);
  h.log.warn('this worker was held up past the safe margin of its leases (suspended, or its event loop blocked): stopping the jobs whose leases may run out, and asking the store which were taken from it', {
    jobs: stopped.length,
    job_ids: stopped.slice(0, 20).map((r) => r.job.id),
  });
  return stopped;
}

/**
 * The store did not confirm this worker's leases (unreachable, or too slow to answer). A job whose
 * confirmed lease ends within half a lease is stopped now, while the lease still holds: once it runs
 * out, another worker's watchdog may take the job, and it must never run on two workers at once. This
 * worker knows why it stopped the attempt: it settles it as interrupted, attempt not spent, once the store
 * answers again (stopUnreached), and its own watchdog leaves the job to that settle (watchdog.ts).
 * Another worker's watchdog that gets there first cannot know, and records the attempt lost.
 * Leases are extended every third of a lease, so this is the second extension in a row that failed (a
 * third of the lease left), or one that went unanswered for as long as answerBudget allows; the first
 * failure leaves two thirds. Half is the line between them: at a third, a timer that fired a millisecond early
 * put the second failure on the wrong side and the job was stopped only at the third, as its lease ran
 * out. Jobs claimed ahead and not started are handed
 * back at the first failure, whatever their lease: a worker whose leases go unconfirmed starts no new
 * work, which it might have to stop halfway.
 */
function fenceUnconfirmed(h: LeaseHolder, now: number): void {
  for (const running of dueToStop(h, now, 'lease not confirmed')) {
    // Already stopping: at an earlier failed extension, or for a cause of its own (a cancel, a timeout).
    if (running.controller.signal.aborted) continue;
    stopUnreached(running, running.leaseUntil - h.leaseMs, now);
    h.log.warn('could not extend the lease of a job; stopping it before the lease runs out and another worker takes it (back to pending, attempt not spent, once the store answers)', {
      job_id: running.job.id,
      service: running.job.service_name,
    });
  }
}
