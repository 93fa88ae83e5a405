import { rateLimitedPastMax } from './httpCall.ts';
import { parseRetryAfter } from './retryAfter.ts';

/** The service whose jobs a probe's answer is read against. */
export interface JobsReadBy {
  /**
   * Their own call when the probe did not send it, and why: `untried`, their call ("POST /v1/chat"), for which
   * the base URL was asked, since their path could do work upstream; `refused`, the runner's refusal of their
   * path, for which the base URL was asked too. Null when the probe sent their own GET.
   */
  instead: { untried: string } | { refused: string } | null;
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
 * `ok`, `warn` and `fail` say what the jobs would meet; `inconclusive` is an answer that says nothing of
 * it (the base URL's, asked in place of a call that could do work upstream): the path is there, no more.
 */
export type VerdictLevel = 'ok' | 'warn' | 'inconclusive' | 'fail';

/** A verdict, and the words that follow "answered 503 Service Unavailable". */
export interface Verdict {
  level: VerdictLevel;
  words: string;
}

/**
 * What an HTTP answer to a probe says against the jobs. A `fail` is an answer its jobs fail on whatever
 * they send, so resetting the service's breaker (what an operator checks before) sends the jobs it holds
 * into the same failure: a server error, at their URL or at the base URL asked in place of their POST (an
 * upstream unwell there is unwell for them), and a 429 or 503 whose Retry-After is past max_retry_after,
 * which the runner classes rate_limited (rateLimitedPastMax, the runner's own test): those jobs go to the
 * dead-letter queue, not retried. A `warn` is one they fail on for now or may: another 429 (retried after
 * the wait), a refusal of jobs that send no credential, any other non-2xx to their own GET, a redirect
 * too, which they do not follow (the probe sends no query or payload path); and a path the runner refuses,
 * whatever the base URL answered. Any other answer of the base URL is `inconclusive`: no clean pass, as it
 * says nothing of their POST. `jobs` is null for a URL probed on its own: only a server error and a rate
 * limit are said against it.
 */
export function answerVerdict(status: number, retryAfter: string | null, jobs: JobsReadBy | null): Verdict {
  const waitMs = parseRetryAfter(retryAfter);
  if (jobs === null) return urlVerdict(status, waitMs);
  const unwell = unwellVerdict(status, waitMs, jobs);
  if (jobs.instead === null) return unwell ?? ownGetVerdict(status, jobs);
  if ('untried' in jobs.instead) {
    return unwell ?? { level: 'inconclusive', words: `, which says nothing of whether its jobs succeed: their ${jobs.instead.untried} was not tried (it could do work upstream)` };
  }
  // Every job without a payload.path of its own fails on the refusal, whatever the base URL answered.
  const refused = `its jobs' path is refused before any is sent (${jobs.instead.refused}): every job without its own payload.path fails as payload, not retried`;
  if (unwell === null) return { level: 'warn', words: `, but ${refused}` };
  return { level: unwell.level === 'fail' ? 'fail' : 'warn', words: `${unwell.words}; besides, ${refused}` };
}

/** Seconds as the Retry-After is said: whole, rounded up; null for none. */
function waitSeconds(waitMs: number | null): number | null {
  return waitMs === null ? null : Math.ceil(waitMs / 1000);
}

function retryAfterWords(waitMs: number | null): string {
  const wait = waitSeconds(waitMs);
  return wait === null ? '' : ` (Retry-After ${wait}s)`;
}

/** A URL of no service: nothing to read an answer against but the upstream's state. */
function urlVerdict(status: number, waitMs: number | null): Verdict {
  if (status >= 500) return { level: 'fail', words: `: a server error${retryAfterWords(waitMs)}` };
  if (status === 429) return { level: 'warn', words: `: rate limited${waitMs === null ? ' (no Retry-After)' : retryAfterWords(waitMs)}` };
  return { level: 'ok', words: '' };
}

/**
 * An upstream unwell, wherever it was asked: what its jobs meet while it answers so, and what resetting its
 * breaker now would do. Null for any other answer.
 */
function unwellVerdict(status: number, waitMs: number | null, jobs: JobsReadBy): Verdict | null {
  const base = jobs.instead !== null;
  const at = base ? ' at its base_url' : '';
  const reset = `; resetting its breaker now (${jobs.resetBreaker}) sends the jobs it holds`;
  // Past max_retry_after the runner gives up at once, a 503 too: the jobs fail as rate_limited, not http_503.
  if (rateLimitedPastMax(status, waitMs, jobs.maxRetryAfterS)) {
    const what = status === 503 ? 'unavailable' : 'rate limited';
    return {
      level: 'fail',
      words: `: ${what}${at} (Retry-After ${waitSeconds(waitMs)}s, past its max_retry_after of ${jobs.maxRetryAfterS}s): its jobs fail as rate_limited while it answers so, not retried${reset} to the dead-letter queue`,
    };
  }
  // A 501 to a GET of the base URL is about that GET, not the upstream's state.
  if (status >= 500 && !(status === 501 && base)) {
    return { level: 'fail', words: `: the upstream still answers ${status}${at}${retryAfterWords(waitMs)}, a server error: its jobs fail with http_${status} while it answers so${reset} into the same failure` };
  }
  if (status !== 429) return null;
  const said = waitMs === null ? ' (no Retry-After)' : retryAfterWords(waitMs);
  const again = waitMs === null ? 'after their backoff' : 'after the wait';
  return { level: 'warn', words: `: rate limited${at}${said}: its jobs fail with http_429 while it answers so, each a failure its breaker counts, and try again ${again}${reset} into the same limit` };
}

/** The jobs' own GET answered otherwise than a well or unwell upstream does: what they meet, as the runner classes it. */
function ownGetVerdict(status: number, jobs: JobsReadBy): Verdict {
  if (status >= 200 && status < 300) return { level: 'ok', words: '' };
  if (status === 401 || status === 403) {
    // Refused without the credential its jobs send: expected of the probe, which sends none.
    if (jobs.sendsCredential) return { level: 'ok', words: ` without a credential (a probe sends none; ${jobs.validateToken} tries the one its jobs send)` };
    return { level: 'warn', words: ': a refusal, and its jobs send no credential (auth_type none): they are refused too' };
  }
  // A 408 is tried again; any other answer here fails the job at once.
  const fate = status === 408 ? ' and try again' : ', not retried: into the dead-letter queue';
  if (status >= 300 && status < 400) return { level: 'warn', words: `: a redirect, which its jobs do not follow: those that call this URL fail with http_${status}${fate}` };
  return { level: 'warn', words: `: its jobs that call this URL fail with http_${status}${fate}` };
}
