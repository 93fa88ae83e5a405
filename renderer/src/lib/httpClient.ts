import { EVENTS_PROTOCOL, type CallInput, type CallName, type CallOutput, type EventName, type EventPayload } from '../../../shared/contract.ts';
import { CallError } from './callError.ts';
import { createEventHub } from './eventHub.ts';
import type { HostClient } from './hostClient.ts';
import { HostUnreachableError } from './hostUnreachable.ts';
import { parseCallResponse } from './parse.ts';

const MIN_RECONNECT_MS = 500;
const MAX_RECONNECT_MS = 15_000;

/** How long to wait before the n-th reconnect: doubling up to a ceiling, with full jitter (`random` in [0, 1)). */
export function reconnectDelay(failures: number, random: number): number {
  // Full jitter so many open consoles do not reconnect in lockstep after a server restart.
  const ceiling = Math.min(MAX_RECONNECT_MS, MIN_RECONNECT_MS * 2 ** Math.min(failures, 10));
  return MIN_RECONNECT_MS + random * ceiling;
}

/** The request never reached an answer: the host is gone, or the network between. */
export function unreachableError(): HostUnreachableError {
  return new HostUnreachableError('serve', 'The opsdeck host does not answer. Is `opsdeck serve` still running?');
}

/** An answer that is not our JSON envelope: a lost session says so, anything else is the host failing. */
export function answerWithoutResultError(status: number): CallError {
  if (status === 401 || status === 403) {
    return new CallError({ code: 'forbidden', message: 'This session is not signed in. Open the URL printed by `opsdeck serve` again.' });
  }
  return new CallError({ code: 'unavailable', message: `The opsdeck host answered HTTP ${status} without a result.` });
}

/** Calls `name` with the token as a Bearer header; a fetch that gets no answer at all throws. */
function post(origin: URL, token: string | null, name: CallName, input: unknown): Promise<Response> {
  return fetch(new URL(`api/call/${name}`, origin), {
    method: 'POST',
    credentials: 'omit',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input ?? {}),
  });
}

/**
 * Whether the host accepts `token`: one cheap read with it (the control state), whose answer, whatever it
 * says of the store, is no 401. For a token handed by another tab, which may be from an earlier start.
 */
export async function hostAccepts(origin: URL, token: string): Promise<boolean> {
  const response = await post(origin, token, 'control.get', {});
  await response.body?.cancel();
  return response.status !== 401;
}

/**
 * The browser host: calls are `POST /api/call/<name>` with the token as a Bearer header, events arrive
 * over a WebSocket at `/api/events`, the token beside its subprotocol (session.ts says where it comes
 * from). Without a token every call answers `forbidden`, which the console shows as signed out.
 * `onRefused` is told the first time the host refuses the token (401), so the tab stops handing it on.
 */
export function createHttpClient(origin: URL, token: string | null, onRefused: () => void = () => undefined): HostClient {
  const hub = createEventHub();
  const linkListeners = new Set<(up: boolean) => void>();
  let socket: WebSocket | null = null;
  let failures = 0;
  // Assumed up until the first close, so a socket that never connects still raises the banner.
  let up = true;
  let signedOut = false;

  function setLink(next: boolean): void {
    if (next === up) return;
    up = next;
    for (const listener of linkListeners) listener(next);
  }

  function connect(): void {
    const url = new URL('api/events', origin);
    url.protocol = origin.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, token ? [EVENTS_PROTOCOL, token] : [EVENTS_PROTOCOL]);
    socket = ws;
    ws.addEventListener('open', () => {
      failures = 0;
      setLink(true);
    });
    ws.addEventListener('message', (message) => {
      if (typeof message.data !== 'string') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        return;
      }
      if (typeof parsed === 'object' && parsed !== null && 'event' in parsed) {
        hub.emit(parsed.event, 'payload' in parsed ? parsed.payload : undefined);
      }
    });
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      setLink(false);
      // A session the host no longer knows cannot reconnect: only the new URL can sign in again.
      if (signedOut) return;
      failures += 1;
      window.setTimeout(connect, reconnectDelay(failures, Math.random()));
    });
  }

  connect();

  return {
    async call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
      let response: Response;
      try {
        response = await post(origin, token, name, input);
      } catch {
        throw unreachableError();
      }
      if (response.status === 401 && !signedOut) {
        signedOut = true;
        onRefused();
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw answerWithoutResultError(response.status);
      }
      return parseCallResponse(name, body);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return hub.on(event, listener);
    },
    onLink(listener) {
      linkListeners.add(listener);
      return () => linkListeners.delete(listener);
    },
  };
}
