import { contextBridge, ipcRenderer } from 'electron';
import type { ApiResponse, EventName, OpsdeckBridge } from '../../shared/contract.ts';
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels.ts';

/*
 * Sandboxed preload: bundled to CommonJS with nothing but 'electron' external, so it may not import the
 * zod contract at run time. The event names are listed here and checked against the contract's type.
 */
const EVENT_NAMES = ['stats.tick', 'jobs.changed', 'breaker.changed', 'control.changed', 'workers.changed', 'store.status', 'alert.changed'] as const satisfies readonly EventName[];
type Unlisted = Exclude<EventName, (typeof EVENT_NAMES)[number]>;
const everyEventListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyEventListed;

const known = new Set<string>(EVENT_NAMES);
const listeners = new Map<string, Set<(payload: unknown) => void>>();

ipcRenderer.on(EVENT_CHANNEL, (_event, message: unknown) => {
  if (typeof message !== 'object' || message === null || !('event' in message) || typeof message.event !== 'string') return;
  const payload = 'payload' in message ? message.payload : undefined;
  for (const listener of listeners.get(message.event) ?? []) {
    try {
      listener(payload);
    } catch {
      // One failing listener must not starve the others.
    }
  }
});

const bridge: OpsdeckBridge = {
  call(name, input): Promise<ApiResponse> {
    if (typeof name !== 'string') {
      return Promise.resolve({ ok: false, error: { code: 'invalid_input', message: 'the call name must be a string' } });
    }
    return ipcRenderer.invoke(CALL_CHANNEL, name, input);
  },
  on(event, listener) {
    if (typeof event !== 'string' || !known.has(event)) throw new TypeError(`unknown opsdeck event "${String(event)}"`);
    if (typeof listener !== 'function') throw new TypeError('the listener must be a function');
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  },
};

contextBridge.exposeInMainWorld('opsdeck', bridge);
