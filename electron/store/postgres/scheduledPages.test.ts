import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { job, later } from '../contract/fixtures.ts';
import { createTestDatabase, withClient } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';
import { openPostgresStore } from './open.ts';

let db: TestDatabase | null = null;
after(async () => {
  await db?.drop();
});

/** The job rows read so far by scans of jobs.tb_job_run, as the server's statistics count them. */
async function rowsRead(url: string): Promise<number> {
  return withClient(url, async (c) => {
    await c.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await c.query<{ n: string }>(
      `SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS n FROM pg_stat_user_tables WHERE schemaname = 'jobs' AND relname = 'tb_job_run'`,
    );
    return Number(rows[0]?.n ?? 0);
  });
}

test('the jobs not yet due are listed from the ready rows, reading only their own job rows', async () => {
  db = await createTestDatabase({ migrated: true });
  const url = db.url;
  const store = await openPostgresStore(url, { poolSize: 1 });
  const scheduled = (await store.enqueue(Array.from({ length: 3 }, () => job('svc', { run_at: later(3_600_000) })))).map((r) => r.id);
  // A backlog of due jobs newer than them: newest id first through the job table, each was read.
  await store.enqueue(Array.from({ length: 2_000 }, () => job('svc')));
  await store.close();
  const before = await rowsRead(url);
  const reader = await openPostgresStore(url, { poolSize: 1 });
  const control = 50;
  try {
    const first = await reader.listJobs({ scheduled: true, status: ['pending'] }, { limit: 2 });
    assert.ok(first.next_cursor);
    const second = await reader.listJobs({ scheduled: true }, { limit: 2, after: first.next_cursor });
    assert.deepEqual([...first.items, ...second.items].map((j) => j.id), [...scheduled].reverse());
    assert.equal(second.next_cursor, null);
    assert.equal((await reader.listJobs({}, { limit: control })).items.length, control);
  } finally {
    // A backend's statistics are flushed when it ends.
    await reader.close();
  }
  let read = 0;
  for (let tries = 0; tries < 50 && read < control; tries++) {
    read = (await rowsRead(url)) - before;
    if (read < control) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(read >= control, `the statistics show the control listing (${read} rows read)`);
  assert.ok(read < control + 10, `two pages of the 3 jobs not yet due read ${read - control} of 2 003 job rows`);
});
