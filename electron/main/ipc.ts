import { isCallName } from '../../shared/contract.ts';
import type { ApiResponse } from '../../shared/contract.ts';
import { CALL_CHANNEL } from './channels.ts';

export interface IpcInvokeEventLike {
  senderFrame: { url: string } | null;
}

/** The part of Electron's ipcMain this uses, so tests can drive it with a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcOptions {
  dispatch: (name: string, input: unknown) => Promise<ApiResponse>;
  subscribe: (listener: (event: string, payload: unknown) => void) => () => void;
  isTrustedSender: (frameUrl: string) => boolean;
  send: (message: { event: string; payload: unknown }) => void;
  log?: (line: string) => void;
}

function failure(code: 'forbidden' | 'not_found' | 'internal', message: string): ApiResponse {
  return { ok: false, error: { code, message } };
}

/**
 * The same shapes the browser host sends: a JSON round trip turns Dates into strings and drops class
 * prototypes, so the renderer parses identical data whichever host it runs in.
 */
function asJson<T>(value: T): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * The one IPC entry point: every call from the renderer arrives here, is checked against the frame that
 * sent it and the contract's call names, and goes to the dispatcher (which validates the input).
 * Events flow the other way through `send`. Returns a function that removes both.
 */
export function registerIpc(ipc: IpcMainLike, opts: IpcOptions): () => void {
  ipc.handle(CALL_CHANNEL, async (event, name, input) => {
    const frameUrl = event.senderFrame?.url ?? '';
    if (!opts.isTrustedSender(frameUrl)) {
      opts.log?.(`refused an IPC call from an untrusted frame (${frameUrl || 'no frame'})`);
      return failure('forbidden', 'calls are accepted only from the opsdeck console');
    }
    if (typeof name !== 'string' || !isCallName(name)) {
      return failure('not_found', `unknown call "${typeof name === 'string' ? name.slice(0, 100) : typeof name}"`);
    }
    try {
      return asJson(await opts.dispatch(name, input));
    } catch {
      return failure('internal', `the call ${name} failed unexpectedly`);
    }
  });
  const unsubscribe = opts.subscribe((event, payload) => {
    try {
      opts.send({ event, payload: asJson(payload) });
    } catch {
      // A window that is closing cannot take the event; the next one gets fresh data on load.
    }
  });
  return () => {
    unsubscribe();
    ipc.removeHandler(CALL_CHANNEL);
  };
}
