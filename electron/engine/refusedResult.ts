import { errorMessage } from '../runners/result.ts';
import type { Settlement } from '../store/store.ts';
import { fingerprint } from './fingerprint.ts';

/** The store's words kept in the dead letter, at most: enough to name the constraint or the bad value. */
const STORE_WORDS_MOST = 1000;

/** Halves of a batch the store refused as a whole: settled apart, so one result it refuses holds up no other. */
export function halves<T>(items: T[]): T[][] {
  const middle = Math.ceil(items.length / 2);
  return [items.slice(0, middle), items.slice(middle)];
}

/**
 * What is recorded instead of a result the store refuses every time it is sent (a constraint, a value it
 * cannot take): the attempt failed, into the dead-letter queue, with the store's own words, so an operator
 * sees it there rather than a job left running until a watchdog spends its attempt as lost. Only what the
 * fence needs is carried over: the output, usage and context the refused result held may be what the
 * store refused.
 */
export function failedInstead(refused: Settlement, error: unknown, serviceName: string): Settlement {
  const words = errorMessage(error).slice(0, STORE_WORDS_MOST);
  const message = `the store refused to record this attempt's result (${refused.kind}), so it is recorded as failed without its output: ${words}`;
  return {
    jobId: refused.jobId,
    attemptId: refused.attemptId,
    workerId: refused.workerId,
    kind: 'failed',
    outcome: 'failed',
    error: { message, error_class: 'settle_refused', fingerprint: fingerprint(message, serviceName, 'settle_refused') },
  };
}
