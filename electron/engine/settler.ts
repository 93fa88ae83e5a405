import type { Logger } from '../log/logger.ts';
import { errorMessage } from '../runners/result.ts';
import type { Settlement } from '../store/store.ts';
import { Batcher, type FlushLeft } from './batcher.ts';

/** Results per settle, at most: one statement clears a backlog of finished jobs in a few of these. */
const SETTLE_BATCH = 2000;
/**
 * A settle's characters of output and error text, at most (one result always goes): output limits are the
 * registry's to set, and 2 000 long outputs in one statement would be more than PostgreSQL takes in one value.
 */
const SETTLE_TEXT_MOST = 8 * 1024 * 1024;
const SETTLE_DELAY_MS = 2;
const SETTLE_RETRY_MS = 500;
/** The longest wait between retries of a settle the store did not take (an outage: leases are kept meanwhile). */
export const SETTLE_RETRY_MOST_MS = 5000;

/** How finished attempts are grouped into settles: group commit, bounded in count and in text. */
export function createSettler(flush: (settlements: Settlement[]) => Promise<FlushLeft<Settlement> | null>, log: Logger): Batcher<Settlement> {
  return new Batcher<Settlement>({
    flush,
    maxBatch: SETTLE_BATCH,
    maxWeight: SETTLE_TEXT_MOST,
    weigh: (s) => (s.output_tail?.length ?? 0) + ('error' in s ? s.error.message.length : 0),
    delayMs: SETTLE_DELAY_MS,
    retryMs: SETTLE_RETRY_MS,
    retryMostMs: SETTLE_RETRY_MOST_MS,
    onError: (error, n) => log.warn('could not record results; retrying', { results: n, error: errorMessage(error) }),
  });
}
