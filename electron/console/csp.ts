/** How a host delivers the console, as far as its content-security policy is concerned. */
export interface PolicyHost {
  /**
   * The port of the host's event WebSocket, which the page must be allowed to open (the browser host);
   * undefined when events reach the page another way (Electron pushes them over IPC).
   */
  eventSocketPort?: number;
}

/**
 * The console's Content-Security-Policy, the same in every host but for how events reach the page: its
 * own scripts and styles only, images from itself or data: URLs, no plugins, no framing, no <base> and
 * no form submissions, so injected markup can neither run nor send anything anywhere.
 */
export function consolePolicy(host: PolicyHost): string {
  const port = host.eventSocketPort;
  const eventSocket = port === undefined ? [] : [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`];
  return [
    "default-src 'self'",
    ["connect-src 'self'", ...eventSocket].join(' '),
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
