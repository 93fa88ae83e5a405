import type { QueryClient } from '@tanstack/react-query';
import { useHostStatus } from './hostStatus.ts';

/**
 * When the store (or the host in front of it) answers again, every query is asked again at once: not only
 * those that failed. An answer made during the outage may have succeeded while saying nothing true now (the
 * dispatch check's "cannot tell", stale for 11 s after the banner went in the drill), and a query still in
 * its retries' back-off is restarted now rather than at its next try. A page of a list being loaded is let
 * finish, as for the live feed. Returns the unsubscription.
 */
export function refetchWhenBack(queryClient: QueryClient): () => void {
  return useHostStatus.subscribe((now, before) => {
    const wasAway = before.storeDown !== null || before.hostDown !== null;
    if (!wasAway || now.storeDown !== null || now.hostDown !== null) return;
    // A list loaded a page at a time (useInfiniteQuery) holds its pages.
    const paged = (query: { state: { data: unknown } }) => typeof query.state.data === 'object' && query.state.data !== null && 'pages' in query.state.data;
    void queryClient.invalidateQueries({ predicate: (query) => !paged(query) });
    void queryClient.invalidateQueries({ predicate: paged }, { cancelRefetch: false });
  });
}
