/**
 * What a socket or resolver error code means, in the words operators search for: a runbook's
 * `retry_all_matching('connection reset')` finds "connection reset by peer (ECONNRESET)" and would not
 * find the code alone.
 */
const WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'broken pipe: the server closed the connection while the request was sent',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed for now (temporary failure in name resolution)',
  UND_ERR_SOCKET: 'the server closed the connection',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the response headers',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the response body',
  UND_ERR_CLOSED: 'the connection was closed',
};

/** `connection reset by peer (ECONNRESET)`; a code without words of ours as it is. */
export function socketErrorText(code: string): string {
  const words = WORDS[code];
  return words === undefined ? code : `${words} (${code})`;
}
