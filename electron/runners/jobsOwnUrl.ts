/**
 * A base URL as a check may ask it: without its query or user info, as targetUrl builds the jobs' own URL.
 * The jobs never send base_url's query, and it may be a function's key (`?code=...`): a GET carrying it
 * is an authorised call of the function.
 */
export function askableBase(baseUrl: string): URL {
  const base = new URL(baseUrl);
  return new URL(`${base.origin}${base.pathname}`);
}

/**
 * Whether asking `asked` is asking the URL the jobs call (`own`): a handler that ignores the method runs
 * their work for a GET of it. Trailing slashes and the query aside, since such a handler ignores them too.
 */
export function isJobsOwnUrl(asked: URL, own: URL): boolean {
  const key = (url: URL) => `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  return key(asked) === key(own);
}

/** The inconclusive HTTP step of a check that sent nothing, since the one URL it could ask is the jobs' own. */
export function noRequestSent(method: string, path: string): string {
  return `no request sent: base_url is the jobs' own URL (their ${method} ${path}), and a GET could do its work`;
}
