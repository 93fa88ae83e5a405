import { CallError } from './callError.ts';

/** The process serving this console: `opsdeck serve` in a browser, the main process in the desktop app. */
export type ConsoleHost = 'serve' | 'desktop';

/**
 * A call that got no answer at all: the console's own host is gone (stopped, crashed, restarting), which
 * says nothing about the store behind it. It stays `unavailable`, so pages and retries treat it as an
 * outage, but the console tells an operator to restart the host rather than wait for the store.
 */
export class HostUnreachableError extends CallError {
  readonly host: ConsoleHost;

  constructor(host: ConsoleHost, message: string) {
    super({ code: 'unavailable', message });
    this.name = 'HostUnreachableError';
    this.host = host;
  }
}
