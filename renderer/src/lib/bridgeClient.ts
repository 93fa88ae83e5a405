import type { ApiResponse, CallInput, CallName, CallOutput, EventName, EventPayload } from '../../../shared/contract.ts';
import { CallError } from './callError.ts';
import { createEventHub } from './eventHub.ts';
import type { HostClient } from './hostClient.ts';
import { parseCallResponse } from './parse.ts';

/** What Electron's preload exposes as `window.opsdeck`; both sides are untyped at runtime, so everything is parsed. */
export interface PreloadBridge {
  call(name: string, input: unknown): Promise<ApiResponse>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

export function isPreloadBridge(value: unknown): value is PreloadBridge {
  return (
    typeof value === 'object' &&
    value !== null &&
    'call' in value &&
    typeof value.call === 'function' &&
    'on' in value &&
    typeof value.on === 'function'
  );
}

/** The Electron host: IPC through the preload bridge. The bridge never drops, so the link is always up. */
export function createBridgeClient(bridge: PreloadBridge): HostClient {
  const hub = createEventHub();
  const subscribed = new Set<EventName>();

  return {
    async call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
      let raw: unknown;
      try {
        raw = await bridge.call(name, input ?? {});
      } catch {
        throw new CallError({ code: 'unavailable', message: 'The opsdeck main process did not answer.' });
      }
      return parseCallResponse(name, raw);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      if (!subscribed.has(event)) {
        subscribed.add(event);
        bridge.on(event, (payload) => hub.emit(event, payload));
      }
      return hub.on(event, listener);
    },
    onLink() {
      return () => undefined;
    },
  };
}
