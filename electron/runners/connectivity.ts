import { lookup } from 'node:dns/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectivityStep } from '../../shared/connectivity.ts';
import { answerVerdict, type JobsReadBy, type VerdictLevel } from './answerVerdict.ts';
import { targetUrl } from './http.ts';
import { safePath, safeUrl } from './httpCall.ts';
import { askableBase, isJobsOwnUrl, noRequestSent } from './jobsOwnUrl.ts';
import { PROBE_USER_AGENT } from './probeAgent.ts';
import { socketErrorText } from './socketWords.ts';

/** The call a service's jobs make (its method and path, runner_config), and what reads an answer against them. */
export interface ServiceCall extends Omit<JobsReadBy, 'instead'> {
  method: string;
  path: string;
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
 * one HTTP GET), timed, stopping at the first that fails, so the answer says where the path breaks. The GET
 * never carries a credential and is never sent where it could do work upstream: for a service it is the
 * jobs' own GET of their URL when they GET, else a GET of the base URL, unless that is their URL too, when
 * none is sent (probeTarget). A failure is said in the words the jobs' own errors use (socketWords.ts), so
 * the probe and the job read alike; URLs are shown as the jobs show them, without query or password.
 */
export async function probeConnectivity(baseUrl: string, timeoutMs = URL_TIMEOUT_S * 1000, call?: ServiceCall): Promise<Probed> {
  const { url, instead, jobsCall, unsent } = call ? probeTarget(baseUrl, call) : { url: new URL(baseUrl), instead: null, jobsCall: null, unsent: null };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const shown = safeUrl(url);
  const probed = (steps: ConnectivityStep[]): Probed => ({ url: shown, method: 'GET', jobs_call: jobsCall, steps });
  const steps: ConnectivityStep[] = [];
  const waited = `no answer within ${timeoutMs / 1000}s`;
  // The HTTP step may be answered and still fail, warn or tell nothing of the jobs (answerVerdict).
  const step = async (name: ConnectivityStep['step'], where: string, run: () => Promise<string | { detail: string; level: VerdictLevel }>): Promise<boolean> => {
    const started = performance.now();
    try {
      const found = await withTimeout(run(), timeoutMs, waited);
      const { detail, level } = typeof found === 'string' ? { detail: found, level: 'ok' } : found;
      // Where the jobs' own call was not tried, no answer but a failure tells how they fare: a warning there
      // (a 429 at the base URL, a refused path) is still no pass, and exits as one that cannot tell.
      const untold = level === 'inconclusive' || (level === 'warn' && instead !== null);
      const flag = { ...(level === 'warn' ? { warning: true } : {}), ...(untold ? { inconclusive: true } : {}) };
      steps.push({ step: name, ok: level !== 'fail', ms: elapsed(started), detail, ...flag });
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
  if (unsent !== null) {
    steps.push({ step: 'http', ok: true, ms: 0, detail: unsent, inconclusive: true });
    return probed(steps);
  }
  await step('http', `GET ${shown}`, async () => {
    const response = await fetch(url, { method: 'GET', headers: { 'user-agent': PROBE_USER_AGENT }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    const answered = `GET ${shown} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    const verdict = answerVerdict(response.status, response.headers.get('retry-after'), call ? { ...call, instead } : null);
    return { detail: `${answered}${verdict.words}`, level: verdict.level };
  });
  return probed(steps);
}

/** What a probe asked (its URL as shown, always with a GET, the jobs' call when it did not send theirs) and what each step found. */
export interface Probed {
  url: string;
  method: 'GET';
  jobs_call: string | null;
  steps: ConnectivityStep[];
}

/**
 * The URL a probe GETs for a service. Their own when its jobs GET it: safe to repeat, as the jobs repeat
 * it, so a route that fails or an upstream answering 503 behind it shows as the jobs meet it. Otherwise the
 * base URL (without its query or user info), never their URL: a handler that ignores the method (Go's
 * http.HandleFunc, a plain Node server, a serverless function URL) runs its POST's work for a HEAD or a GET
 * as well, and a check anyone with a read key may start must not do that. Where the base URL is their URL
 * (`base_url: https://fn.example/` and the default path `/`), `unsent` says why no request is sent.
 * `jobsCall` names their call when the probe did not send it, and why; a path the runner refuses leaves
 * only the base URL to ask.
 */
function probeTarget(baseUrl: string, call: Pick<ServiceCall, 'method' | 'path'>): { url: URL; instead: JobsReadBy['instead']; jobsCall: string | null; unsent: string | null } {
  const own = targetUrl(baseUrl, call.path, undefined);
  const base = askableBase(baseUrl);
  if (typeof own === 'string') return { url: base, instead: { refused: own }, jobsCall: `the jobs' ${call.method} is refused before it is sent: ${own}`, unsent: null };
  if (call.method === 'GET') return { url: own, instead: null, jobsCall: null, unsent: null };
  const untried = `${call.method} ${safePath(call.path)}`;
  const unsent = isJobsOwnUrl(base, own) ? noRequestSent(call.method, safePath(call.path)) : null;
  return { url: base, instead: { untried }, jobsCall: `the jobs' ${untried} was not tried: it could do work upstream`, unsent };
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
