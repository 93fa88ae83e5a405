import type { Settlement, Store } from '../store/store.ts';

/**
 * Settlements whose settle got no answer (the call failed: the connection dropped, maybe after the commit).
 * The settler sends them again, and the store lands them at most once: a try that committed leaves the job no
 * longer running under its attempt, so the next one lands nothing of it. What the engine does with a result
 * that landed (its breaker outcome, its log line, its event) must then still happen, once: the jobs an
 * earlier try recorded are told from those someone else took (the watchdog, an operator) by their attempts.
 */
export class UnansweredSettles {
  /** Attempt ids of settlements sent without an answer and not yet answered. */
  readonly #attempts = new Set<number>();

  /** A settle of these failed: it may have committed. */
  unanswered(settlements: Settlement[]): void {
    for (const s of settlements) this.#attempts.add(s.attemptId);
  }

  /** Of settlements sent again that did not land now, the job ids an earlier, unanswered try recorded. */
  async landedEarlier(store: Store, settlements: Settlement[], landed: ReadonlySet<number>): Promise<number[]> {
    const unsure = settlements.filter((s) => !landed.has(s.jobId) && this.#attempts.has(s.attemptId));
    return unsure.length === 0 ? [] : store.settledEarlier(unsure);
  }

  /** These are answered: landed now, earlier, or not at all. */
  answered(settlements: Settlement[]): void {
    for (const s of settlements) this.#attempts.delete(s.attemptId);
  }
}
