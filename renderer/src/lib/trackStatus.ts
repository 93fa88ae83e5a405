import type { CallInput, CallName, CallOutput } from '../../../shared/contract.ts';
import { CallError } from './callError.ts';
import type { HostClient } from './hostClient.ts';
import { useHostStatus } from './hostStatus.ts';
import { HostUnreachableError } from './hostUnreachable.ts';
import { READS_THE_STORE } from '../../../shared/storeReads.ts';

/**
 * Wraps a client so the host banners follow reality. An `unavailable` answer or a `store.status` event
 * raises the store banner (with the action it needs, if any), and the next call that reads the store and
 * succeeds clears it (READS_THE_STORE), as a stats tick or a `store.status` event saying it answers does:
 * a call that answers through an outage (the dispatch check's "cannot tell") took it down every time the
 * Overview asked, and the banner and the "not live" note came and went while the store stayed away.
 * A call that gets no answer at all is the console's host gone, not the store: that banner says since when
 * the data shown is stale, and goes with the host's next answer or the live feed reconnecting. A
 * `forbidden` answer means this console's session ended (the browser host restarted with a new token):
 * that is said instead, for it does not clear by itself.
 */
/**
 * How long the live feed may be down before the host is asked whether it is there: a feed that drops and
 * reconnects at once is no news, while a page with no refresh of its own would otherwise say nothing.
 */
export const LINK_PROBE_MS = 1500;

export function trackStatus(client: HostClient): HostClient {
  const status = useHostStatus.getState();
  // When the data shown last came from the host, for the host banner to say how stale it is.
  let lastAnswer: string | null = null;
  const fresh = (storeAnswered: boolean) => {
    lastAnswer = new Date().toISOString();
    status.setHostDown(null);
    if (storeAnswered) status.setStoreDown(null);
  };
  // The host answered, if with a failure: it is there, and the answer says how the store is.
  const refused = (error: CallError) => {
    status.setHostDown(null);
    if (error.code === 'unavailable') status.setStoreDown({ message: error.message, action: error.action ?? null });
    if (error.code === 'forbidden') status.setSignedOut(error.message);
  };
  client.on('store.status', (payload) => status.setStoreDown(payload.ok ? null : { message: payload.message || 'the store does not answer', action: payload.action ?? null }));
  // A tick is computed from the store, so it proves the store answers again.
  client.on('stats.tick', () => fresh(true));
  let probe: ReturnType<typeof setTimeout> | undefined;
  client.onLink((up) => {
    status.setLinkUp(up);
    clearTimeout(probe);
    if (up) {
      status.setHostDown(null);
      return;
    }
    // The answer, or its absence, moves the banners the way every call's does; its failure is not this page's.
    probe = setTimeout(() => void tracked.call('control.get', {}).catch(() => undefined), LINK_PROBE_MS);
  });

  const tracked: HostClient = {
    async call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
      try {
        const result = await client.call(name, input);
        fresh(READS_THE_STORE.has(name));
        return result;
      } catch (error) {
        if (error instanceof HostUnreachableError) status.setHostDown({ host: error.host, lastAnswer });
        else if (error instanceof CallError) refused(error);
        throw error;
      }
    },
    on: client.on.bind(client),
    onLink: client.onLink.bind(client),
  };
  return tracked;
}
