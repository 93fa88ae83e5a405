/**
 * The lease rows this process's claims wrote (jobs.tb_job_lease, one per claim) and the attempts of each
 * not settled yet. The settle that takes the last of a claim's attempts names its lease row, and the
 * database deletes it in the same transaction: one row write per claim where a row per job used to come
 * and go. An attempt this process never settles (taken back by the watchdog, superseded, the settle
 * itself failed) only leaves its row for the watchdog to forget, which it does once none of the row's
 * jobs is running under this worker.
 */
export class LeaseBook {
  readonly #leaseOf = new Map<number, number>();
  readonly #open = new Map<number, number>();

  /** A claim's lease row and the attempts it leased. */
  opened(leaseId: number, attemptIds: number[]): void {
    for (const attemptId of attemptIds) this.#leaseOf.set(attemptId, leaseId);
    this.#open.set(leaseId, (this.#open.get(leaseId) ?? 0) + attemptIds.length);
  }

  /**
   * These attempts are being settled (whether or not the store accepts each): the lease rows they
   * leave with nothing open. Attempts it never saw are ignored.
   */
  closing(attemptIds: number[]): number[] {
    const done: number[] = [];
    for (const attemptId of attemptIds) {
      const leaseId = this.#leaseOf.get(attemptId);
      if (leaseId === undefined) continue;
      this.#leaseOf.delete(attemptId);
      const open = (this.#open.get(leaseId) ?? 1) - 1;
      if (open > 0) {
        this.#open.set(leaseId, open);
      } else {
        this.#open.delete(leaseId);
        done.push(leaseId);
      }
    }
    return done;
  }
}
