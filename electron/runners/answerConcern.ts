/**
 * What an HTTP answer to a probe says against a service's jobs. Any answer proves the path to it, but a
 * server error is what its jobs fail on (http_503) for as long as it answers so, and a refusal is what
 * they get too when they send no credential. `sendsCredential` is null for a URL probed on its own, of no
 * service: only a server error is said against it. Null when the answer says nothing against them.
 */
export function answerConcern(status: number, sendsCredential: boolean | null): string | null {
  if (status >= 500) return sendsCredential === null ? 'a server error' : `a server error: its jobs fail with http_${status} while it answers so`;
  if ((status === 401 || status === 403) && sendsCredential === false) return 'a refusal, and its jobs send no credential (auth_type none): they are refused too';
  return null;
}
