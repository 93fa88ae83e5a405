import { lookup } from 'node:dns/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectivityStep } from '../../shared/connectivity.ts';
import { targetUrl } from './http.ts';

/** The call a service's jobs make: its method and path (runner_config). */
export interface ServiceCall {
  method: string;
  path: string;
}

/**
 * What `opsdeck test-connectivity` does for one base URL: each layer in turn (DNS, TCP, TLS for https, then
 * one HTTP GET), timed, stopping at the first that fails, so the answer says where the path breaks. The GET
 * never carries a credential. It is of the service's own path when its jobs' call is a GET (safe to
 * repeat), so a path that hangs or fails shows here; otherwise of the base URL, saying which call was not
 * tried: probing never triggers work upstream.
 */
export async function probeConnectivity(baseUrl: string, timeoutMs = 5000, call?: ServiceCall): Promise<ConnectivityStep[]> {
  const own = call ? probeTarget(baseUrl, call) : null;
  const url = own?.url ?? new URL(baseUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const steps: ConnectivityStep[] = [];
  const step = async (name: ConnectivityStep['step'], run: () => Promise<string>): Promise<boolean> => {
    const started = performance.now();
    try {
      const detail = await withTimeout(run(), timeoutMs, `no answer within ${timeoutMs / 1000}s`);
      steps.push({ step: name, ok: true, ms: elapsed(started), detail });
      return true;
    } catch (error) {
      steps.push({ step: name, ok: false, ms: elapsed(started), detail: reasonOf(error) });
      return false;
    }
  };

  let address = host;
  const resolved = await step('dns', async () => {
    const found = await lookup(host);
    address = found.address;
    return `${host} → ${found.address}`;
  });
  if (!resolved) return steps;
  const connected = await step('tcp', async () => {
    return closeOnceOpen(tcpConnect({ host: address, port }), 'connect', () => `${address}:${port} accepts connections`);
  });
  if (!connected) return steps;
  if (url.protocol === 'https:') {
    const secured = await step('tls', async () => {
      const socket = tlsConnect({ host: address, port, servername: isIp(host) ? undefined : host });
      return closeOnceOpen(socket, 'secureConnect', () => `${socket.getProtocol() ?? 'TLS'}, certificate valid for ${host}`);
    });
    if (!secured) return steps;
  }
  await step('http', async () => {
    const response = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    const answered = `GET ${url.origin}${url.pathname} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    return own?.untried ? `${answered}; the jobs' ${own.untried} was not tried (it could do work)` : answered;
  });
  return steps;
}

/**
 * The URL a probe may GET for a service: its own when its jobs GET it, else the base URL, naming the
 * call left untried. A path that leads elsewhere is the base URL's too (the runner refuses it anyway).
 */
export function probeTarget(baseUrl: string, call: ServiceCall): { url: URL; untried: string | null } {
  const own = targetUrl(baseUrl, call.path, undefined);
  if (call.method === 'GET' && own instanceof URL) return { url: own, untried: null };
  return { url: new URL(baseUrl), untried: call.method === 'GET' ? null : `${call.method} ${call.path}` };
}

/** Waits for the socket to open, says what it found while it is still open, then closes it. */
function closeOnceOpen(socket: Socket, openEvent: 'connect' | 'secureConnect', describe: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once(openEvent, () => {
      const detail = describe();
      socket.destroy();
      resolve(detail);
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
    socket.once('timeout', () => socket.destroy(new Error('timed out')));
  });
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** A socket or resolver error by its code and words (ENOTFOUND, ECONNREFUSED, a certificate's reason). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : error;
  const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : null;
  return code && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
}
