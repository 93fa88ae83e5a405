import { parseRetryAfter } from './retryAfter.ts';

/** The service whose jobs a probe's answer is read against. */
export interface JobsReadBy {
  /**
   * Their call when the probe sent another, as the heading says it ("the jobs POST it"): an answer to that
   * about anything but the upstream's state is not theirs. Null when the probe sent their own GET.
   */
  jobsCall: string | null;
  /** Its jobs send a credential (auth_type bearer or basic), which a probe never does. */
  sendsCredential: boolean;
  /** How the interface that asked tests that credential: `opsdeck validate-token S`, a button beside the service. */
  validateToken: string;
  /** How the interface that asked resets its breaker: `opsdeck breaker reset S`, Reset on the Breakers page. */
  resetBreaker: string;
  /** runner_config.max_retry_after: a longer Retry-After fails its jobs as rate_limited, not retried. */
  maxRetryAfterS: number;
}

/**
 * What an HTTP answer to a probe says against the jobs, and the words that follow "answered 503 Service
 * Unavailable". A `fail` is an answer its jobs fail on whatever they send, so resetting the service's
 * breaker (what an operator checks before) sends the jobs it holds into the same failure: a server error.
 * A `warn` is one they fail on for now or may: 429 (retried after the wait; a Retry-After past
 * max_retry_after is a `fail`, as those jobs go to the dead-letter queue), a refusal of jobs that send no
 * credential, any other non-2xx to their own GET (the probe sends no query or payload path). A HEAD's
 * answer about its method or route (404, 405, 501) says nothing of their POST. `jobs` is null for a URL
 * probed on its own: only a server error and a rate limit are said against it.
 */
export function answerVerdict(status: number, retryAfter: string | null, jobs: JobsReadBy | null): { level: 'ok' | 'warn' | 'fail'; words: string } {
  const ok = { level: 'ok' as const, words: '' };
  if (status >= 200 && status < 300) return ok;
  const waitMs = parseRetryAfter(retryAfter);
  const wait = waitMs === null ? null : Math.ceil(waitMs / 1000);
  const asked = wait === null ? '' : ` (Retry-After ${wait}s)`;
  const reset = jobs === null ? '' : `; resetting its breaker now (${jobs.resetBreaker}) sends the jobs it holds`;
  if (status >= 500 && !(status === 501 && jobs !== null && jobs.jobsCall !== null)) {
    if (jobs === null) return { level: 'fail', words: `: a server error${asked}` };
    return { level: 'fail', words: `: the upstream still answers ${status}${asked}, a server error: its jobs fail with http_${status} while it answers so${reset} into the same failure` };
  }
  if (status === 429) {
    const said = wait === null ? ' (no Retry-After)' : asked;
    if (jobs === null) return { level: 'warn', words: `: rate limited${said}` };
    if (wait !== null && wait > jobs.maxRetryAfterS) {
      return { level: 'fail', words: `: rate limited (Retry-After ${wait}s, past its max_retry_after of ${jobs.maxRetryAfterS}s): its jobs fail as rate_limited while it answers so, not retried${reset} to the dead-letter queue` };
    }
    const again = wait === null ? 'after their backoff' : 'after the wait';
    return { level: 'warn', words: `: rate limited${said}: its jobs fail with http_429 while it answers so, each a failure its breaker counts, and try again ${again}${reset} into the same limit` };
  }
  if (jobs === null) return ok;
  if (status === 401 || status === 403) {
    // Refused without the credential its jobs send: expected of the probe, which sends none.
    if (jobs.sendsCredential) return { level: 'ok', words: ` without a credential (a probe sends none; ${jobs.validateToken} tries the one its jobs send)` };
    return { level: 'warn', words: ': a refusal, and its jobs send no credential (auth_type none): they are refused too' };
  }
  // A server may route a HEAD nowhere (404, 405) where it takes their POST: no word against the jobs.
  if (jobs.jobsCall !== null) return { level: 'ok', words: `, which says nothing of the jobs' own call (${jobs.jobsCall})` };
  const retried = status === 408 ? ' and try again' : ', not retried';
  if (status >= 300 && status < 400) return { level: 'warn', words: `: a redirect, which its jobs do not follow: those that call this URL fail with http_${status}${retried}` };
  return { level: 'warn', words: `: its jobs that call this URL fail with http_${status}${retried}` };
}
