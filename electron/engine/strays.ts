/**
 * Jobs a claim leased whose answer never came (the connection died after the commit, or the claim
 * committed after this worker gave up on it): the store has them running under this worker, which never
 * heard of them. After a failed claim, for STRAY_WINDOW_MS, claims that answer look for them, at most
 * once a second, and hand them back unstarted. Attempts this worker gave up (a lease lost or unconfirmed)
 * also still show as running under it, but they ran: they are left for the watchdog to record lost.
 * Pure bookkeeping; the dispatcher asks the store and writes the settlements.
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
