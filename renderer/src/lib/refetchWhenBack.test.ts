import { QueryClient, QueryObserver } from '@tanstack/react-query';
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { useHostStatus } from './hostStatus.ts';
import { refetchWhenBack } from './refetchWhenBack.ts';

beforeEach(() => {
  useHostStatus.setState({ storeDown: null, hostDown: null, linkUp: true, signedOut: null });
});

const outage = { message: 'cannot reach PostgreSQL at 127.0.0.1:5433: connection refused; is the server running?', action: null };

async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(done(), what);
}

/** An observed query, as a panel on screen holds one, with how many times it was asked. */
function panel(queryClient: QueryClient, key: string, answer: () => Promise<string>, options: { retry?: number; retryDelay?: number } = {}) {
  let asked = 0;
  const observer = new QueryObserver(queryClient, {
    queryKey: [key],
    queryFn: () => {
      asked += 1;
      return answer();
    },
    staleTime: Infinity,
    ...options,
  });
  const off = observer.subscribe(() => undefined);
  return { asked: () => asked, off };
}

test('once the store answers again every panel is asked again at once, one that answered "cannot tell" during the outage too', async () => {
  const queryClient = new QueryClient();
  const stop = refetchWhenBack(queryClient);
  const dispatchCheck = panel(queryClient, 'health.check', async () => 'cannot tell: cannot reach PostgreSQL');
  await until('the first answer', () => queryClient.getQueryData(['health.check']) !== undefined);
  useHostStatus.getState().setStoreDown(outage);
  assert.equal(dispatchCheck.asked(), 1, 'the store going away asks nothing');
  useHostStatus.getState().setStoreDown(null);
  await until('asked again as the store answers', () => dispatchCheck.asked() === 2);
  dispatchCheck.off();
  stop();
  queryClient.clear();
});

test("a panel in its retries' back-off is asked again now, not at its next try", async () => {
  const queryClient = new QueryClient();
  const stop = refetchWhenBack(queryClient);
  let answer = 'two workers';
  const workers = panel(queryClient, 'workers.list', async () => (answer === '' ? Promise.reject(new Error('unavailable')) : answer), { retry: 3, retryDelay: 3_600_000 });
  await until('the first answer', () => queryClient.getQueryData(['workers.list']) === 'two workers');
  answer = '';
  useHostStatus.getState().setStoreDown(outage);
  void queryClient.refetchQueries({ queryKey: ['workers.list'] });
  await until('a try during the outage', () => workers.asked() === 2);
  answer = 'two workers, reconnected';
  useHostStatus.getState().setStoreDown(null);
  await until('asked again without waiting out the back-off', () => queryClient.getQueryData(['workers.list']) === 'two workers, reconnected');
  workers.off();
  stop();
  queryClient.clear();
});

test('the host coming back counts as the store does; a console that was never cut off asks nothing', async () => {
  const queryClient = new QueryClient();
  const stop = refetchWhenBack(queryClient);
  const stats = panel(queryClient, 'overview.stats', async () => 'figures');
  await until('the first answer', () => queryClient.getQueryData(['overview.stats']) !== undefined);
  useHostStatus.getState().setLinkUp(false);
  useHostStatus.getState().setLinkUp(true);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(stats.asked(), 1);
  useHostStatus.getState().setHostDown({ host: 'serve', lastAnswer: null });
  useHostStatus.getState().setHostDown(null);
  await until('asked again once the host answers', () => stats.asked() === 2);
  stats.off();
  stop();
  queryClient.clear();
});
