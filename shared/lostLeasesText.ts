import type { LostWorkerLeases } from './domain.ts';
import type { WorkerView } from './views.ts';
import { countText } from './countText.ts';

/** How an interface names the list of stuck jobs and the way to fail them, each said of "them". */
export interface StuckWords {
  /** `opsdeck jobs --stuck lists them` */
  list: string;
  /** `opsdeck fail --stuck fails them` */
  fail: string;
}

export const CLI_STUCK_WORDS: StuckWords = { list: 'opsdeck jobs --stuck lists them', fail: 'opsdeck fail --stuck fails them' };

/** The console has no bulk fail of stuck jobs: each one's drawer fails it, by its "Fail now" button. */
export const CONSOLE_STUCK_WORDS: StuckWords = { list: 'the Jobs page with "Stuck only" lists them', fail: `"Fail now" in each one's drawer fails it` };

/** What becomes of a running job a live worker's watchdog takes back once its lease ran out (`them`, or `it` for one job). */
function takenBack(them: string): string {
  return `or a live worker's watchdog takes ${them} back: pending again with that attempt spent (recorded lost), or a dead letter once out of attempts`;
}

/**
 * What becomes of a lost worker's running jobs, and when, true at the moment it is read, in the words the
 * CLI and the console share: nobody runs them, yet none counts as stuck (`jobs --stuck`) until its lease
 * runs out, so pointing there sooner points to an empty list. `one`: said of one job (`opsdeck job ID`), its
 * words saying "it".
 */
export function whenStuck(leases: Pick<LostWorkerLeases, 'leases_run_out_at'>, now: number, words: StuckWords, one = false): string {
  const at = leases.leases_run_out_at;
  const [their, runs, ran, them] = one ? ['its', 'lease runs', 'lease ran', 'it'] : ['their', 'leases run', 'leases ran', 'them'];
  if (at !== null && Date.parse(at) > now) return `stuck once ${their} ${runs} out, by ${at}: then ${words.list} and ${words.fail}, ${takenBack(them)}`;
  return `${their} ${ran} out${at === null ? '' : ` at ${at}`}: ${words.list} (${words.fail} now), ${takenBack(them)}`;
}

/** One lost worker's line: `w-1 still holds 2 running job(s), stuck once their leases run out, by …`. */
export function lostLeasesLine(leases: LostWorkerLeases, now: number, words: StuckWords): string {
  return `${leases.worker_id} still holds ${countText(leases.jobs)} running job(s), ${whenStuck(leases, now, words)}`;
}

/**
 * What becomes of one running job whose worker is lost, and when (`opsdeck job ID`): the worker and when
 * it was last heard from, then `whenStuck` said of that job alone.
 */
export function lostHolderText(worker: Pick<WorkerView, 'id' | 'host' | 'pid' | 'last_heartbeat_at'>, leaseExpiresAt: string | null, now: number, words: StuckWords): string {
  const heard = `last heartbeat ${worker.last_heartbeat_at}, ${worker.host} pid ${worker.pid}`;
  return `worker ${worker.id} is lost (${heard}): nobody runs this job; ${whenStuck({ leases_run_out_at: leaseExpiresAt }, now, words, true)}`;
}
