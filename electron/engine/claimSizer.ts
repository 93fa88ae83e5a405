/** At most this many jobs per claim, so one claim's transaction stays short. */
const CLAIM_BATCH = 100;
/**
 * Jobs that take less than this on average are claimed ahead of free slots, so one claim feeds many
 * short jobs; longer jobs are claimed only for free slots, so no worker hoards work others could start.
 */
const PREFETCH_BELOW_MS = 50;
/**
 * Runs seen before the average is trusted: a first claim's worth (one per slot), so a worker with many
 * slots starts prefetching one claim sooner, but never fewer than sixteen and no more than twenty, so a
 * worker with few slots does not claim a second of work ahead on the word of a handful of runs.
 */
const TRUST_AFTER_RUNS = { min: 16, max: 20 };
const PREFETCH_MAX = 1000;
/** Prefetching claims come in chunks of up to this many, so one claim's transaction stays short. */
const PREFETCH_CLAIM_MAX = 500;

/** How many jobs to claim: the free slots, and about a second of work ahead when jobs are short. */
export class ClaimSizer {
  /**
   * How long attempts take, in ms: the plain mean of the runs until the average is trusted (so the first
   * run weighs no more than any other), a moving average after; null before any run.
   */
  #avgRunMs: number | null = null;
  #runsSeen = 0;
  readonly #concurrency: number;
  readonly #trustAfterRuns: number;

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
    this.#trustAfterRuns = Math.min(TRUST_AFTER_RUNS.max, Math.max(TRUST_AFTER_RUNS.min, concurrency));
  }

  /** One attempt ended after `ms`. */
  observe(ms: number): void {
    this.#runsSeen++;
    const avg = this.#avgRunMs ?? ms;
    this.#avgRunMs = this.#runsSeen <= this.#trustAfterRuns ? avg + (ms - avg) / this.#runsSeen : avg * 0.9 + ms * 0.1;
  }

  /**
   * How many to claim now, with `started` jobs running and `ahead` claimed but not started: the free
   * slots, plus a refill of the prefetch buffer once a chunk of it ran out.
   */
  limit(started: number, ahead: number): number {
    const free = this.#concurrency - started - ahead;
    const prefetch = this.#prefetch();
    if (prefetch === 0) return Math.min(free, CLAIM_BATCH);
    const room = free + prefetch;
    if (room < Math.max(1, prefetch / 4)) return 0;
    return Math.min(room, PREFETCH_CLAIM_MAX);
  }

  /** Claim ahead about a second of work, when jobs are short. */
  #prefetch(): number {
    const avg = this.#avgRunMs;
    if (this.#runsSeen < this.#trustAfterRuns || avg === null || avg >= PREFETCH_BELOW_MS) return 0;
    return Math.min(PREFETCH_MAX, Math.floor((this.#concurrency * 1000) / Math.max(avg, 1)));
  }
}
