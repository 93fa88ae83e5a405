import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobFilter } from '../../../shared/domain.ts';
import { job } from '../contract/fixtures.ts';
import { createTestDatabase, withClient } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';
import { openPostgresStore } from './open.ts';

const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();
const COUNT = 20_000;
const START = Date.UTC(2026, 0, 1);

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ migrated: true });
  const store = await openPostgresStore(db.url, { poolSize: 2 });
  try {
    await store.enqueue(Array.from({ length: COUNT }, (_, i) => job(`svc${i % 3}`)));
  } finally {
    await store.close();
  }
  // Creation times an hour apart in a scrambled order: by id, no range is contiguous.
  await withClient(db.url, (c) =>
    c.query(`UPDATE jobs.tb_job_run SET created_at = to_timestamp($1 / 1000.0) + ((id * 7919) % $2) * interval '1 hour'`, [START, COUNT]),
  );
  await withClient(db.url, (c) => c.query('ANALYZE jobs.tb_job_run'));
});
after(async () => {
  await db.drop();
});

test('a creation-time range lists exactly its jobs, newest created first, whatever order they were created in', async () => {
  const store = await openPostgresStore(db.url, { poolSize: 2 });
  try {
    const created = await withClient(db.url, async (c) => (await c.query<{ id: string; ms: number }>('SELECT id, extract(epoch FROM created_at) * 1000 AS ms FROM jobs.tb_job_run')).rows);
    const expected = (from: number | null, to: number | null) =>
      created
        .filter((r) => (from === null || Number(r.ms) >= from) && (to === null || Number(r.ms) < to))
        .sort((x, y) => Number(y.ms) - Number(x.ms) || Number(y.id) - Number(x.id))
        .map((r) => Number(r.id));
    const listed = async (filter: JobFilter) => {
      const ids: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.listJobs(filter, { limit: 500, after: cursor });
        ids.push(...page.items.map((j) => j.id));
        cursor = page.next_cursor;
      } while (cursor !== null);
      return ids;
    };
    const ranges: Array<[number | null, number | null]> = [
      [START + 100 * HOUR, START + 130 * HOUR],
      [START + (COUNT - 3000) * HOUR, null],
      [null, START + 40 * HOUR],
      [START + COUNT * HOUR, null],
    ];
    for (const [from, to] of ranges) {
      const filter = { ...(from === null ? {} : { created_after: at(from) }), ...(to === null ? {} : { created_before: at(to) }) };
      assert.deepEqual(await listed(filter), expected(from, to), JSON.stringify(filter));
    }
  } finally {
    await store.close();
  }
});

/** The job rows read so far by scans of jobs.tb_job_run, as the server's statistics count them. */
const read = async () =>
  withClient(db.url, async (c) => {
    await c.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await c.query<{ n: string }>(
      `SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS n FROM pg_stat_user_tables WHERE schemaname = 'jobs' AND relname = 'tb_job_run'`,
    );
    return Number(rows[0]?.n ?? 0);
  });

/** The rows read since `before`, once the statistics show at least `control` of them. */
async function rowsReadSince(before: number, control: number): Promise<number> {
  let rowsRead = 0;
  for (let tries = 0; tries < 50 && rowsRead < control; tries++) {
    rowsRead = (await read()) - before;
    if (rowsRead < control) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return rowsRead;
}

test('a creation-time range that holds no job is answered from the index, not by reading jobs', async () => {
  const before = await read();
  const store = await openPostgresStore(db.url, { poolSize: 1 });
  const control = 50;
  try {
    const page = await store.listJobs({ created_after: at(START + COUNT * HOUR) }, { limit: 50 });
    const older = await store.listJobs({ created_after: at(START - 10 * HOUR), created_before: at(START) }, { limit: 50 });
    assert.deepEqual([page.items.length, older.items.length], [0, 0]);
    // Reads that must show, so the count below is known to include the listings' own.
    assert.equal((await store.listJobs({}, { limit: control - 1 })).items.length, control - 1);
  } finally {
    // A backend's statistics are flushed when it ends.
    await store.close();
  }
  const rowsRead = await rowsReadSince(before, control);
  assert.ok(rowsRead >= control, `the statistics show the control listing (${rowsRead} rows read)`);
  assert.ok(rowsRead < control + 100, `listing two empty ranges read ${rowsRead - control} of ${COUNT} jobs`);
});

test('a range long past is listed page after page from the index, reading only the jobs it shows', async () => {
  // A tenth of the jobs, spread over every id: newest id first, a page of 100 had read about 1 000 jobs.
  const filter = { created_before: at(START + (COUNT / 10) * HOUR) };
  const before = await read();
  const store = await openPostgresStore(db.url, { poolSize: 1 });
  const control = 50;
  try {
    const first = await store.listJobs(filter, { limit: 100 });
    const second = await store.listJobs(filter, { limit: 100, after: first.next_cursor });
    assert.deepEqual([first.items.length, second.items.length], [100, 100]);
    assert.equal((await store.listJobs({}, { limit: control - 1 })).items.length, control - 1);
  } finally {
    await store.close();
  }
  const rowsRead = await rowsReadSince(before, control);
  assert.ok(rowsRead >= control, `the statistics show the control listing (${rowsRead} rows read)`);
  assert.ok(rowsRead < control + 2 * 101 + 50, `two pages of 100 read ${rowsRead - control} of ${COUNT} jobs`);
});
