import type { CallInput, CallName, CallOutput } from '../../../shared/contract.ts';
import { CallError } from './callError.ts';
import type { HostClient } from './hostClient.ts';
import { useHostStatus } from './hostStatus.ts';

/**
 * Wraps a client so the "store unavailable" banner follows reality: an `unavailable` failure or a
 * `store.status` event raises it (with the action it needs, if any), and the next call that succeeds
 * clears it. A `forbidden`
 * answer means this console's session ended (the browser host restarted with a new token): that is said
 * instead, for it does not clear by itself.
 */
export function trackStatus(client: HostClient): HostClient {
  const status = useHostStatus.getState();
  client.on('store.status', (payload) => status.setStoreDown(payload.ok ? null : { message: payload.message || 'the store does not answer', action: payload.action ?? null }));
  // A tick is computed from the store, so it proves the store answers again.
  client.on('stats.tick', () => status.setStoreDown(null));
  client.onLink((up) => status.setLinkUp(up));

  return {
    async call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
      try {
        const result = await client.call(name, input);
        status.setStoreDown(null);
        return result;
      } catch (error) {
        if (error instanceof CallError && error.code === 'unavailable') status.setStoreDown({ message: error.message, action: error.action ?? null });
        if (error instanceof CallError && error.code === 'forbidden') status.setSignedOut(error.message);
        throw error;
      }
    },
    on: client.on.bind(client),
    onLink: client.onLink.bind(client),
  };
}
