import type { LostWorkerLeases } from './domain.ts';

/** How an interface names the list of stuck jobs and the way to fail them, each said of "them". */
export interface StuckWords {
  /** `opsdeck jobs --stuck lists them` */
  list: string;
  /** `opsdeck fail --stuck fails them` */
  fail: string;
}

export const CLI_STUCK_WORDS: StuckWords = { list: 'opsdeck jobs --stuck lists them', fail: 'opsdeck fail --stuck fails them' };

/** What becomes of a running job a live worker's watchdog takes back once its lease ran out. */
const TAKEN_BACK = "or a live worker's watchdog takes them back: pending again with that attempt spent (recorded lost), or a dead letter once out of attempts";

/**
 * What becomes of a lost worker's running jobs, and when, true at the moment it is read, in the words the
 * CLI and the console share: nobody runs them, yet none counts as stuck (`jobs --stuck`) until its lease
 * runs out, so pointing there sooner points to an empty list.
 */
export function whenStuck(leases: Pick<LostWorkerLeases, 'leases_run_out_at'>, now: number, words: StuckWords): string {
  const at = leases.leases_run_out_at;
  if (at !== null && Date.parse(at) > now) return `stuck once their leases run out, by ${at}: then ${words.list} and ${words.fail}, ${TAKEN_BACK}`;
  return `their leases ran out${at === null ? '' : ` at ${at}`}: ${words.list} (${words.fail} now), ${TAKEN_BACK}`;
}

/** One lost worker's line: `w-1 still holds 2 running job(s), stuck once their leases run out, by …`. */
export function lostLeasesLine(leases: LostWorkerLeases, now: number, words: StuckWords): string {
  return `${leases.worker_id} still holds ${leases.jobs} running job(s), ${whenStuck(leases, now, words)}`;
}
