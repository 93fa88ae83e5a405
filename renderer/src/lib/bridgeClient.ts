import type { CallInput, CallName, CallOutput, EventName, EventPayload, OpsdeckBridge } from '../../../shared/contract.ts';
import { createEventHub } from './eventHub.ts';
import type { HostClient } from './hostClient.ts';
import { HostUnreachableError } from './hostUnreachable.ts';
import { parseCallResponse } from './parse.ts';

/** Whether `window.opsdeck` looks like the preload bridge; what crosses it is still parsed, never trusted. */
export function isPreloadBridge(value: unknown): value is OpsdeckBridge {
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
export function createBridgeClient(bridge: OpsdeckBridge): HostClient {
  const hub = createEventHub();
  const subscribed = new Set<EventName>();

  return {
    async call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
      let raw: unknown;
      try {
        raw = await bridge.call(name, input ?? {});
      } catch {
        throw new HostUnreachableError('desktop', 'The opsdeck main process did not answer.');
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
