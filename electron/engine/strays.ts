import type { Logger } from '../log/logger.ts';
import type { LeasedAttempt, Settlement, Store } from '../store/store.ts';

/**
 * Jobs a claim leased whose answer never came (the connection died after the commit, or the claim
 * committed after this worker gave up on it): the store has them running under this worker, which never
 * heard of them. After a failed claim, for STRAY_WINDOW_MS, claims that answer look for them, at most
 * once a second, and hand them back unstarted. Attempts this worker gave up (a lease lost or unconfirmed)
 * also still show as running under it, but they ran: they are left for the watchdog to record lost.
 * StrayWatch is the bookkeeping, without I/O; handBackStrays asks the store and hands the strays back.
 */
export class StrayWatch {
  #lookUntil = 0;
  #nextLook = 0;
  readonly #givenUp = new Set<number>();

  /** A claim failed without an answer: it may have committed, then or a little later. */
  claimFailed(now: number): void {
    this.#lookUntil = now + STRAY_WINDOW_MS;
  }

  /** Whether to look now; looking counts from here. */
  due(now: number): boolean {
    if (now >= this.#lookUntil || now < this.#nextLook) return false;
    this.#nextLook = now + STRAY_LOOK_EVERY_MS;
    return true;
  }

  /** This worker stopped an attempt whose lease it lost or could not confirm. */
  gaveUp(attemptId: number): void {
    this.#givenUp.add(attemptId);
    // Pruned by every look; between looks, only the newest few thousand can still be leased.
    if (this.#givenUp.size > GIVEN_UP_KEPT) this.#givenUp.delete(this.#givenUp.values().next().value ?? attemptId);
  }

  /**
   * Of the attempts the store has running under this worker, the ones it neither holds (`held`: running,
   * claimed ahead, or waiting to be recorded) nor gave up.
   */
  strays<T extends { attemptId: number }>(leased: readonly T[], held: ReadonlySet<number>): T[] {
    const stillLeased = new Set(leased.map((a) => a.attemptId));
    for (const attemptId of this.#givenUp) if (!stillLeased.has(attemptId)) this.#givenUp.delete(attemptId);
    return leased.filter((a) => !held.has(a.attemptId) && !this.#givenUp.has(a.attemptId));
  }
}

/** How long after a failed claim a late commit of it is still looked for: past every statement's bound. */
export const STRAY_WINDOW_MS = 30_000;
const STRAY_LOOK_EVERY_MS = 1000;
const GIVEN_UP_KEPT = 5000;

/** What looking for strays reads and changes of its dispatcher. */
export interface StrayHolder {
  store: Pick<Store, 'leasedAttempts'>;
  workerId: string;
  log: Logger;
  watch: StrayWatch;
  /** Attempts this worker holds: running, claimed ahead, or waiting to be recorded. */
  held(): Iterable<number>;
  /** Queues a settlement with the worker's others. */
  handBack(settlement: Settlement): void;
}

/**
 * The strays go back to pending at once, attempt not spent, instead of waiting out their leases to be
 * taken back as lost.
 */
export async function handBackStrays(h: StrayHolder): Promise<void> {
  // Taken before the store is asked: a settle that lands while the read is under way takes its attempt out of
  // the held ones, and an answer read before it landed still has that attempt leased here, which is no stray.
  const held = new Set(h.held());
  let leased: LeasedAttempt[];
  try {
    leased = await h.store.leasedAttempts(h.workerId);
  } catch (error) {
    h.log.warn('could not look for jobs a lost claim leased; trying again with the next claim', { error: error instanceof Error ? error.message : String(error) });
    return;
  }
  const strays = h.watch.strays(leased, held);
  if (strays.length === 0) return;
  h.log.warn('handing back jobs a claim leased whose answer never came', { jobs: strays.length, job_ids: strays.slice(0, 20).map((a) => a.jobId) });
  for (const { jobId, attemptId } of strays) {
    h.handBack({ jobId, attemptId, workerId: h.workerId, kind: 'interrupted', reason: 'its claim was answered to no one; handed back unstarted', ran: false });
  }
}
