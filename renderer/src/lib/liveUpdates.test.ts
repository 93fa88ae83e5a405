import { InfiniteQueryObserver, QueryClient, type InfiniteData } from '@tanstack/react-query';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import type { CallOutput } from '../../../shared/contract.ts';
import { callKey } from './calls.ts';
import { connectLiveUpdates, jobListRefetch, MAX_LIVE_JOB_PAGES, withControl } from './liveUpdates.ts';
import { fakeHostClient } from './testing/fakeHostClient.ts';
import { controlState, overviewStats, stopped } from './testing/fixtures.ts';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
afterEach(() => mock.timers.reset());

function setup() {
  const host = fakeHostClient();
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const disconnect = connectLiveUpdates(host.client, queryClient);
  const isStale = (key: readonly unknown[]) => queryClient.getQueryState(key)?.isInvalidated ?? false;
  return { host, queryClient, disconnect, isStale };
}

test('a control change patches the control state and the overview stats in place', () => {
  const { host, queryClient } = setup();
  queryClient.setQueryData(callKey('overview.stats', {}), overviewStats({ dead_letters: 7 }));
  host.emit('control.changed', stopped(5));
  assert.equal(queryClient.getQueryData<CallOutput<'control.get'>>(callKey('control.get', {}))?.version, 5);
  const stats = queryClient.getQueryData<CallOutput<'overview.stats'>>(callKey('overview.stats', {}));
  assert.equal(stats?.control.emergency_stop.engaged, true);
  assert.equal(stats?.dead_letters, 7, 'the rest of the stats is kept');
});

test('a stats tick replaces the stats and the control state it carries', () => {
  const { host, queryClient } = setup();
  host.emit('stats.tick', overviewStats({ dead_letters: 3, control: stopped(9) }));
  assert.equal(queryClient.getQueryData<CallOutput<'overview.stats'>>(callKey('overview.stats', {}))?.dead_letters, 3);
  assert.equal(queryClient.getQueryData<CallOutput<'control.get'>>(callKey('control.get', {}))?.version, 9);
});

test('a burst of job changes marks the lists stale once, after the short delay; a deep scroll is not refetched', () => {
  const { host, queryClient, isStale } = setup();
  const page = { jobs: [], next_cursor: null };
  const shortKey = ['jobs.list', { filter: { service: 'a' } }];
  const deepKey = ['jobs.list', { filter: { service: 'b' } }];
  queryClient.setQueryData<InfiniteData<CallOutput<'jobs.list'>>>(shortKey, { pages: [page], pageParams: [null] });
  const deep = Array.from({ length: MAX_LIVE_JOB_PAGES + 1 }, () => page);
  queryClient.setQueryData<InfiniteData<CallOutput<'jobs.list'>>>(deepKey, { pages: deep, pageParams: deep.map(() => null) });
  queryClient.setQueryData(callKey('dlq.groups', {}), { groups: [], total: 0 });
  for (let i = 0; i < 50; i++) host.emit('jobs.changed', { ids: [i] });
  assert.equal(isStale(shortKey), false, 'nothing before the delay');
  mock.timers.tick(500);
  assert.equal(isStale(shortKey), true);
  assert.equal(isStale(deepKey), true, 'marked stale, so the table can offer a refresh');
  assert.equal(isStale(callKey('dlq.groups', {})), true);
});

test('the refetch rule: lists up to the live limit refetch, deeper ones wait for the operator', () => {
  assert.equal(jobListRefetch(1), 'active');
  assert.equal(jobListRefetch(MAX_LIVE_JOB_PAGES), 'active');
  assert.equal(jobListRefetch(MAX_LIVE_JOB_PAGES + 1), 'none');
});

test('after the live feed drops and returns, everything is refreshed once; disconnecting stops it all', () => {
  const { host, queryClient, disconnect, isStale } = setup();
  queryClient.setQueryData(callKey('breakers.list', {}), { breakers: [] });
  host.link(true);
  assert.equal(isStale(callKey('breakers.list', {})), false, 'a link that never dropped missed nothing');
  host.link(false);
  host.link(true);
  assert.equal(isStale(callKey('breakers.list', {})), true);

  disconnect();
  queryClient.setQueryData(callKey('control.get', {}), controlState({ version: 1 }));
  host.emit('control.changed', stopped(2));
  assert.equal(queryClient.getQueryData<CallOutput<'control.get'>>(callKey('control.get', {}))?.version, 1);
});

test('merging control into stats that are not loaded yet leaves them not loaded', () => {
  assert.equal(withControl(undefined, controlState()), undefined);
});

test('a burst refetches a short list of workflow runs, and leaves a deep one stale for the operator, not refetched page by page', async () => {
  const { host, queryClient, isStale } = setup();
  const fetched = { short: 0, deep: 0 };
  const runsList = (which: keyof typeof fetched) =>
    new InfiniteQueryObserver(queryClient, {
      queryKey: ['workflows.runs', { list: which }],
      queryFn: async ({ pageParam }: { pageParam: number }) => {
        fetched[which] += 1;
        return { runs: [], next_cursor: String(pageParam + 1) };
      },
      initialPageParam: 0,
      getNextPageParam: (last: { next_cursor: string }) => Number(last.next_cursor),
    });
  const short = runsList('short');
  const deep = runsList('deep');
  const unsubscribe = [short.subscribe(() => {}), deep.subscribe(() => {})];
  await short.refetch();
  await deep.refetch();
  for (let page = 1; page <= MAX_LIVE_JOB_PAGES; page++) await deep.fetchNextPage();
  const before = { ...fetched };
  host.emit('jobs.changed', { ids: [1] });
  mock.timers.tick(500);
  await Promise.resolve();
  await queryClient.getQueryCache().find({ queryKey: ['workflows.runs', { list: 'short' }] })?.promise;
  assert.equal(fetched.short, before.short + 1, 'one page, refetched');
  assert.equal(fetched.deep, before.deep, `${MAX_LIVE_JOB_PAGES + 1} pages: none refetched`);
  assert.equal(isStale(['workflows.runs', { list: 'deep' }]), true, 'marked stale, so the page can offer a refresh');
  for (const off of unsubscribe) off();
});

test('an older page being loaded when a burst of changes arrives is kept: the refresh does not cancel the click', async () => {
  const { host, queryClient } = setup();
  let release: () => void = () => {};
  const runs = new InfiniteQueryObserver(queryClient, {
    queryKey: ['workflows.runs', { list: 'loading older' }],
    queryFn: async ({ pageParam }: { pageParam: number }) => {
      // The older page answers only once the burst has been handled, as on a busy host.
      if (pageParam > 0) await new Promise<void>((resolve) => (release = resolve));
      return { runs: [], next_cursor: String(pageParam + 1) };
    },
    initialPageParam: 0,
    getNextPageParam: (last: { next_cursor: string }) => Number(last.next_cursor),
  });
  const off = runs.subscribe(() => {});
  await runs.refetch();
  const older = runs.fetchNextPage();
  host.emit('jobs.changed', { ids: [1] });
  mock.timers.tick(500);
  await Promise.resolve();
  release();
  await older;
  await queryClient.getQueryCache().find({ queryKey: ['workflows.runs', { list: 'loading older' }] })?.promise;
  assert.equal(runs.getCurrentResult().data?.pages.length, 2, 'the older page the operator asked for is there');
  off();
});
