import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { CallName, CallOutput } from '../../../shared/contract.ts';
import type { ControlState } from '../../../shared/domain.ts';
import { callKey } from './calls.ts';
import { useClient } from './clientContext.ts';
import type { HostClient } from './hostClient.ts';
import { refetchWhenBack } from './refetchWhenBack.ts';
import { debounce, throttle } from './rateLimit.ts';

const JOB_DEBOUNCE_MS = 500;
const JOB_REFRESH_MS = 2000;
/**
 * Beyond this many loaded pages a refetch of a paged list (jobs, workflow runs) would be a storm, one call
 * per page in turn on every burst: the list offers a refresh instead.
 */
export const MAX_LIVE_JOB_PAGES = 3;

// Series and the audit log refresh on their own clocks: a job burst must not refetch a 24-hour aggregate.
const JOB_CALLS: CallName[] = ['jobs.get', 'dlq.groups', 'dlq.list', 'breakers.list', 'workflows.show', 'workflows.stuck'];
/** The lists loaded a page at a time as the operator asks for more (useInfiniteQuery). */
const PAGED_CALLS: CallName[] = ['jobs.list', 'workflows.runs'];

function invalidateCalls(queryClient: QueryClient, names: CallName[]): void {
  for (const name of names) void queryClient.invalidateQueries({ queryKey: [name] });
}

/** A short list refetches now; a deep scroll is only marked stale and keeps its place. */
export function jobListRefetch(loadedPages: number): 'active' | 'none' {
  return loadedPages <= MAX_LIVE_JOB_PAGES ? 'active' : 'none';
}

function loadedPages(data: unknown): number {
  return typeof data === 'object' && data !== null && 'pages' in data && Array.isArray(data.pages) ? data.pages.length : 0;
}

function refreshPagedLists(queryClient: QueryClient): void {
  for (const name of PAGED_CALLS) {
    for (const query of queryClient.getQueryCache().findAll({ queryKey: [name] })) {
      // A page under way (Load older, or a refetch) is let finish, never cancelled: an older page the operator
      // asked for while jobs changed would otherwise be dropped. The list stays marked stale for its next fetch.
      void queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true, refetchType: jobListRefetch(loadedPages(query.state.data)) }, { cancelRefetch: false });
    }
  }
}

/** The overview's stats with a newer control state merged in; no stats yet stays no stats. */
export function withControl(stats: CallOutput<'overview.stats'> | undefined, control: ControlState): CallOutput<'overview.stats'> | undefined {
  return stats ? { ...stats, control } : stats;
}

function patchControl(queryClient: QueryClient, control: ControlState): void {
  queryClient.setQueryData(callKey('control.get', {}), control);
  queryClient.setQueryData<CallOutput<'overview.stats'>>(callKey('overview.stats', {}), (stats) => withControl(stats, control));
}

/**
 * Turns pushed events into cache patches and debounced invalidations: one refetch per burst, never per
 * event. Returns the disconnection.
 */
export function connectLiveUpdates(client: HostClient, queryClient: QueryClient): () => void {
  // A busy engine changes jobs continuously: the first change shows within half a second, then lists
  // refresh at most every two seconds, one refetch per burst.
  const jobs = throttle(() => {
    refreshPagedLists(queryClient);
    invalidateCalls(queryClient, JOB_CALLS);
  }, JOB_REFRESH_MS, JOB_DEBOUNCE_MS);
  // The charts and the performance table follow job traffic too, but at most every ten seconds: they
  // aggregate hours, not events.
  const series = throttle(() => invalidateCalls(queryClient, ['overview.series', 'metrics.byType']), 10_000, 1000);
  const breakers = debounce(() => invalidateCalls(queryClient, ['breakers.list', 'audit.list']), 250);
  // Heartbeats arrive every few seconds; runner health probes are slower and cost more, so they lag.
  const workers = throttle(() => invalidateCalls(queryClient, ['workers.list']), 2000, 500);
  const runners = throttle(() => invalidateCalls(queryClient, ['runners.list']), 10_000, 1000);
  let wasDown = false;

  const offs = [
    client.on('stats.tick', (stats) => {
      queryClient.setQueryData(callKey('overview.stats', {}), stats);
      queryClient.setQueryData(callKey('control.get', {}), stats.control);
    }),
    client.on('jobs.changed', () => {
      jobs.run();
      series.run();
    }),
    client.on('breaker.changed', () => breakers.run()),
    client.on('alert.changed', () => invalidateCalls(queryClient, ['alerts.list', 'alerts.history'])),
    client.on('control.changed', (control) => {
      patchControl(queryClient, control);
      invalidateCalls(queryClient, ['audit.list']);
    }),
    client.on('workers.changed', () => {
      workers.run();
      runners.run();
    }),
    client.onLink((up) => {
      if (!up) {
        wasDown = true;
        return;
      }
      // Events were missed while the feed was down: catch up once.
      if (wasDown) void queryClient.invalidateQueries(undefined, { cancelRefetch: false });
      wasDown = false;
    }),
  ];
  return () => {
    for (const off of offs) off();
    for (const limited of [jobs, series, breakers, workers, runners]) limited.cancel();
  };
}

export function useLiveUpdates(): void {
  const client = useClient();
  const queryClient = useQueryClient();

  useEffect(() => connectLiveUpdates(client, queryClient), [client, queryClient]);
  useEffect(() => refetchWhenBack(queryClient), [queryClient]);
}
