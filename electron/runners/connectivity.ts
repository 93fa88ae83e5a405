import { lookup } from 'node:dns/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectivityStep } from '../../shared/connectivity.ts';
import { answerVerdict, type JobsReadBy } from './answerVerdict.ts';
import { targetUrl } from './http.ts';
import { safeUrl } from './httpCall.ts';
import { socketErrorText } from './socketWords.ts';

/** The call a service's jobs make (its method and path, runner_config), whose it is, and what reads an answer against them. */
export interface ServiceCall extends Omit<JobsReadBy, 'jobsCall'> {
  method: string;
  path: string;
  service: string;
}

/** A URL given on its own has no timeout of its own. */
const URL_TIMEOUT_S = 5;
/** An operator waits at the console for the answer: a service's 300 s is not waited for at each step. */
export const PROBE_TIMEOUT_CAP_S = 10;

/**
 * How long each step of a probe waits: the service's own per-attempt timeout, so a probe of an upstream
 * that hangs fails when its jobs would, capped; the default for a URL given on its own. With the words
 * that say which it was.
 */
export function probeTimeout(serviceTimeoutS: number | null): { seconds: number; from: string } {
  if (serviceTimeoutS === null) return { seconds: URL_TIMEOUT_S, from: 'the default for a URL' };
  if (serviceTimeoutS <= PROBE_TIMEOUT_CAP_S) return { seconds: serviceTimeoutS, from: "the service's" };
  return { seconds: PROBE_TIMEOUT_CAP_S, from: `the service's is ${serviceTimeoutS}s; a probe waits at most ${PROBE_TIMEOUT_CAP_S}s` };
}

/**
 * What `opsdeck test-connectivity` does for one base URL: each layer in turn (DNS, TCP, TLS for https, then
 * one HTTP request), timed, stopping at the first that fails, so the answer says where the path breaks. The
 * request never carries a credential and never does work upstream: for a service it asks the URL its jobs
 * call (probeTarget), with their GET or else a HEAD, and says which call of theirs it did not send. A
 * failure is said in the words the jobs' own errors use (socketWords.ts), so the probe and the job read
 * alike; URLs are shown as the jobs show them, without query or password.
 */
export async function probeConnectivity(baseUrl: string, timeoutMs = URL_TIMEOUT_S * 1000, call?: ServiceCall): Promise<Probed> {
  const target = call ? probeTarget(baseUrl, call) : { url: new URL(baseUrl), method: 'GET' as const, jobsCall: null };
  const { url, method, jobsCall } = target;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const shown = safeUrl(url);
  const probed = (steps: ConnectivityStep[]): Probed => ({ url: shown, method, jobs_call: jobsCall, steps });
  const steps: ConnectivityStep[] = [];
  const waited = `no answer within ${timeoutMs / 1000}s`;
  // The HTTP step may be answered and still fail or warn: an answer its jobs fail on (answerVerdict).
  const step = async (name: ConnectivityStep['step'], where: string, run: () => Promise<string | { detail: string; level: 'ok' | 'warn' | 'fail' }>): Promise<boolean> => {
    const started = performance.now();
    try {
      const found = await withTimeout(run(), timeoutMs, waited);
      const { detail, level } = typeof found === 'string' ? { detail: found, level: 'ok' } : found;
      steps.push({ step: name, ok: level !== 'fail', ms: elapsed(started), detail, ...(level === 'warn' ? { warning: true } : {}) });
      return level !== 'fail';
    } catch (error) {
      steps.push({ step: name, ok: false, ms: elapsed(started), detail: `${where}: ${reasonOf(error, waited)}` });
      return false;
    }
  };

  let address = host;
  const resolved = await step('dns', host, async () => {
    const found = await lookup(host);
    address = found.address;
    return `${host} → ${found.address}`;
  });
  if (!resolved) return probed(steps);
  const connected = await step('tcp', `${address}:${port}`, async () => {
    return closeOnceOpen(tcpConnect({ host: address, port }), 'connect', () => `${address}:${port} accepts connections`);
  });
  if (!connected) return probed(steps);
  if (url.protocol === 'https:') {
    const secured = await step('tls', `${address}:${port}`, async () => {
      const socket = tlsConnect({ host: address, port, servername: isIp(host) ? undefined : host });
      return closeOnceOpen(socket, 'secureConnect', () => `${socket.getProtocol() ?? 'TLS'}, certificate valid for ${host}`);
    });
    if (!secured) return probed(steps);
  }
  await step('http', `${method} ${shown}`, async () => {
    const response = await fetch(url, { method, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    const answered = `${method} ${shown} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    const verdict = answerVerdict(response.status, response.headers.get('retry-after'), call ? { ...call, jobsCall } : null);
    return { detail: `${answered}${verdict.words}`, level: verdict.level };
  });
  return probed(steps);
}

/** What a probe asked (its URL as shown, its method, the jobs' call when it sent another) and what each step found. */
export interface Probed {
  url: string;
  method: 'GET' | 'HEAD';
  jobs_call: string | null;
  steps: ConnectivityStep[];
}

/**
 * The request a probe sends for a service: to the URL its jobs call, so a route that fails, or an upstream
 * answering 503 behind it, shows here as the jobs meet it (their base URL alone is often no resource at all,
 * a 404 that says nothing of theirs). With their GET when they GET, safe to repeat; otherwise a HEAD, which
 * carries no body and runs no POST, PUT, PATCH or DELETE handler, so probing never does work upstream.
 * `jobsCall` names their call when the probe sends another. A path the runner refuses leaves only the base
 * URL to ask, and says so.
 */
function probeTarget(baseUrl: string, call: Pick<ServiceCall, 'method' | 'path'>): { url: URL; method: 'GET' | 'HEAD'; jobsCall: string | null } {
  const own = targetUrl(baseUrl, call.path, undefined);
  if (typeof own === 'string') return { url: new URL(baseUrl), method: 'GET', jobsCall: `the jobs' ${call.method} is refused before it is sent: ${own}` };
  if (call.method === 'GET') return { url: own, method: 'GET', jobsCall: null };
  return { url: own, method: 'HEAD', jobsCall: `the jobs ${call.method} it` };
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

/**
 * A socket or resolver error in the words a job's error uses for it ("the server closed the connection
 * (UND_ERR_SOCKET)"); a code without words of ours beside the error's own message; a timeout as the wait.
 */
export function reasonOf(error: unknown, waited: string): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return waited;
  const cause = error.cause instanceof Error ? error.cause : error;
  const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : null;
  if (code === null) return cause.message;
  const words = socketErrorText(code);
  if (words !== code) return words;
  return cause.message.includes(code) ? cause.message : `${code}: ${cause.message}`;
}
