import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, JobFilter } from '../../../shared/domain.ts';
import type { Store } from '../store.ts';
import { alice, ago, base, claimOne, deadLetter, err, job, later, sleep } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

/** Every page of a listing, `limit` at a time, enqueueing `meanwhile` more jobs between pages. */
async function pagesOf(store: Store, filter: JobFilter, limit: number, meanwhile = 0): Promise<Job[]> {
  const jobs: Job[] = [];
  let after: string | null = null;
  do {
    const page = await store.listJobs(filter, { limit, after });
    jobs.push(...page.items);
    if (meanwhile > 0) await store.enqueue(Array.from({ length: meanwhile }, () => job('late')));
    after = page.next_cursor;
  } while (after !== null);
  return jobs;
}

/** Newest created first, the newer id first among jobs created together: the order of a ranged listing. */
const byCreation = (a: Job, b: Job) => (a.created_at === b.created_at ? b.id - a.id : a.created_at < b.created_at ? 1 : -1);

/** The order of the pages of listings: of several states at once, and of a creation-time range. */
export function listingPagesContract(test: ContractTest): void {
  describe('listing pages', () => {
    test('two states or more list exactly their jobs, newest first, in pages that neither skip nor repeat', async (store) => {
      for (let i = 0; i < 4; i++) {
        await store.enqueue(Array.from({ length: 3 }, () => job('svc', { queue: i % 2 ? 'q1' : 'q2' })));
        const done = await claimOne(store, { service_name: 'svc' });
        await store.settle([{ ...base(done), kind: 'completed' }]);
        await deadLetter(store, 'svc', err(`boom ${i}`));
        const [dropped] = await store.enqueue([job('svc')]);
        assert.ok(dropped);
        await store.cancelJob(dropped.id, alice, 'not needed');
      }
      const cases: JobFilter[] = [
        { status: ['failed', 'completed'] },
        { status: ['completed', 'cancelled', 'pending'] },
        { status: ['pending', 'cancelled'], queue: 'q1' },
        { status: ['failed', 'pending'], unresolved: true },
        { status: ['pending', 'running', 'completed', 'failed', 'cancelled'] },
      ];
      for (const [filter, limit] of cases.flatMap((c) => [1, 2, 5].map((n) => [c, n] as const))) {
        const expected = (await pagesOf(store, {}, 100))
          .filter((j) => filter.status?.includes(j.status) && (filter.queue === undefined || j.queue === filter.queue) && (!filter.unresolved || j.status === 'failed'))
          .map((j) => j.id);
        assert.ok(expected.length > 0, JSON.stringify(filter));
        // Jobs enqueued between pages are newer than every page's position: none of them shows.
        assert.deepEqual((await pagesOf(store, filter, limit, 1)).map((j) => j.id), expected, `${JSON.stringify(filter)} by ${limit}`);
      }
    });

    test('a creation-time range lists newest created first, in pages that neither skip nor repeat jobs created together', async (store) => {
      // A batch is created at one time: its jobs tie on created_at and are told apart by id.
      for (let i = 0; i < 4; i++) {
        await store.enqueue(Array.from({ length: 4 }, () => job('svc')));
        await deadLetter(store, 'svc', err(`boom ${i}`));
        await sleep(3);
      }
      const cut = (await pagesOf(store, {}, 100)).sort(byCreation)[9]?.created_at;
      assert.ok(cut);
      const cases: JobFilter[] = [
        { created_after: ago(60_000) },
        { created_before: later(60_000) },
        { created_after: ago(60_000), created_before: cut },
        { created_after: cut, status: ['failed'] },
        { created_before: cut, status: ['failed', 'pending'] },
        { created_after: ago(60_000), unresolved: true },
      ];
      for (const [filter, limit] of cases.flatMap((c) => [1, 3].map((n) => [c, n] as const))) {
        const everything = (await pagesOf(store, {}, 100)).sort(byCreation);
        const expected = everything
          .filter(
            (j) =>
              (filter.created_after === undefined || j.created_at >= filter.created_after) &&
              (filter.created_before === undefined || j.created_at < filter.created_before) &&
              (filter.status === undefined || filter.status.includes(j.status)) &&
              (!filter.unresolved || j.status === 'failed'),
          )
          .map((j) => j.id);
        assert.ok(expected.length > 0, JSON.stringify(filter));
        // Jobs enqueued between pages are newer than every page's position: none of them shows.
        assert.deepEqual((await pagesOf(store, filter, limit, 2)).map((j) => j.id), expected, `${JSON.stringify(filter)} by ${limit}`);
      }
    });

    test('the pending jobs not yet due list exactly, of a queue or a service, in pages that neither skip nor repeat', async (store) => {
      for (let i = 0; i < 12; i++) {
        await store.enqueue([job(i % 3 ? 'a' : 'b', { queue: i % 2 ? 'q1' : 'q2', ...(i % 4 ? { run_at: later(3_600_000 + i * 1000) } : {}) })]);
      }
      await claimOne(store, { service_name: 'a', queue: 'q1' });
      const cases: JobFilter[] = [{ scheduled: true }, { scheduled: true, status: ['pending'] }, { scheduled: true, queue: 'q1' }, { scheduled: true, status: ['pending'], service: 'b' }];
      for (const [filter, limit] of cases.flatMap((c) => [1, 2, 5].map((n) => [c, n] as const))) {
        const now = new Date().toISOString();
        const expected = (await pagesOf(store, {}, 100))
          .filter((j) => j.status === 'pending' && j.run_at > now && (filter.queue === undefined || j.queue === filter.queue) && (filter.service === undefined || j.service_name === filter.service))
          .map((j) => j.id);
        assert.ok(expected.length > 0, JSON.stringify(filter));
        assert.deepEqual((await pagesOf(store, filter, limit, 1)).map((j) => j.id), expected, `${JSON.stringify(filter)} by ${limit}`);
      }
    });

    test('a cursor of one order is refused by a listing of the other, with the clear error', async (store) => {
      await store.enqueue(Array.from({ length: 3 }, () => job('svc')));
      await deadLetter(store, 'svc', err('boom'));
      const ranged = { created_after: ago(60_000) };
      const byId = (await store.listJobs({}, { limit: 1 })).next_cursor;
      const byCreated = (await store.listJobs(ranged, { limit: 1 })).next_cursor;
      assert.ok(byId && byCreated);
      await assert.rejects(store.listJobs(ranged, { limit: 1, after: byId }), /invalid page cursor/);
      await assert.rejects(store.listJobs({}, { limit: 1, after: byCreated }), /invalid page cursor/);
      await assert.rejects(store.dlqList({}, { limit: 1, after: byCreated }), /invalid page cursor/);
      // A text search keeps its own candidates, newest id first, and so its own cursors.
      await assert.rejects(store.listJobs({ ...ranged, search: 'x' }, { limit: 1, after: byCreated }), /invalid page cursor/);
    });

    test('a malformed or foreign cursor is refused even where no job matches and the page would be empty', async (store) => {
      await store.enqueue([job('svc'), job('svc')]);
      const ranged = { created_after: ago(60_000) };
      const byId = (await store.listJobs({}, { limit: 1 })).next_cursor;
      const byCreated = (await store.listJobs(ranged, { limit: 1 })).next_cursor;
      assert.ok(byId && byCreated);
      // No dead letter, no failed job: the kept counts alone would say so without reading a page.
      assert.deepEqual(await store.dlqList({}, { limit: 10 }), { items: [], next_cursor: null });
      for (const after of ['abc', 'not a cursor!', byCreated]) {
        await assert.rejects(store.dlqList({}, { limit: 10, after }), /invalid page cursor/, `dlq.list after ${after}`);
        await assert.rejects(store.dlqList({ service: 'svc' }, { limit: 10, after }), /invalid page cursor/, `dlq.list of a service after ${after}`);
        await assert.rejects(store.listJobs({ status: ['failed'] }, { limit: 10, after }), /invalid page cursor/, `failed jobs after ${after}`);
      }
      await assert.rejects(store.listJobs({ ...ranged, status: ['failed'] }, { limit: 10, after: byId }), /invalid page cursor/);
    });
  });
}
