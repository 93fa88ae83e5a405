import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JobFilter } from '../../../shared/domain.ts';
import { encodeCursor } from '../cursor.ts';
import type { Store } from '../store.ts';
import { fillPostgresHistory } from '../testing/history/postgres.ts';
import { createTestDatabase, withClient } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';
import { openPostgresStore } from './open.ts';
import { WALK_ROWS } from './searchedFailures.ts';

/**
 * A searched listing of failed jobs walks the errored jobs newest first, then looks below the walk with the
 * trigram index: its pages, joined, are every failed job whose error holds the text, newest first, once each,
 * whether the text fills a page within the walk, is too rare to, or matches nothing.
 */

const JOBS = 40_000;

let db: TestDatabase;
let store: Store;

before(async () => {
  db = await createTestDatabase({ migrated: true });
  // The fill's fingerprints need only be stable per message and service; the engine's own are not this test's.
  const engine = { fingerprint: (message: string, service: string, errorClass: string) => `${service}:${errorClass}:${message.slice(0, 24)}`, version: 'test' };
  await fillPostgresHistory(db.url, { jobs: JOBS, nowMs: Date.now(), engine });
  store = await openPostgresStore(db.url, { poolSize: 2 });
  await store.checkCounts(true);
});

after(async () => {
  await store.close();
  await db.drop();
});

/** The yardstick: failed jobs (open ones only, if asked) whose error holds `text`, newest first, by a plain scan. */
async function expected(text: string, openOnly: boolean): Promise<number[]> {
  return withClient(db.url, async (c) => {
    const { rows } = await c.query<{ id: string }>(
      `SELECT id FROM jobs.tb_job_run WHERE status = 'failed' AND ($2 = false OR resolved_at IS NULL)
         AND strpos(lower(error_message), lower($1)) > 0 ORDER BY id DESC`,
      [text, openOnly],
    );
    return rows.map((r) => Number(r.id));
  });
}

async function everyPage(filter: JobFilter, from: string | null): Promise<number[]> {
  const ids: number[] = [];
  let cursor = from;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await store.listJobs(filter, { limit: 50, after: cursor });
    ids.push(...page.items.map((j) => j.id));
    if (page.next_cursor === null) return ids;
    cursor = page.next_cursor;
  }
  throw new Error('the listing never ended');
}

/** The most and least common failed error texts of the fill: a phrase that fills pages at once, and one that does not. */
async function failedTexts(): Promise<{ common: string; rare: string }> {
  return withClient(db.url, async (c) => {
    const { rows } = await c.query<{ error_message: string }>(
      `SELECT error_message FROM jobs.tb_job_run WHERE status = 'failed' GROUP BY error_message ORDER BY count(*) DESC, error_message`,
    );
    const common = rows[0]?.error_message;
    const rare = rows.at(-1)?.error_message;
    assert.ok(common !== undefined && rare !== undefined && common !== rare, 'the fill has failures of several texts');
    return { common, rare };
  });
}

describe('postgres: searching failed jobs', () => {
  it('has more errored jobs than one walk reads, so the listing must look below the walk', async () => {
    const errored = await withClient(db.url, async (c) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM jobs.tb_job_run WHERE error_fingerprint IS NOT NULL`)).rows[0]?.n));
    assert.ok(errored > 2 * WALK_ROWS, `${errored} errored jobs`);
  });

  it('lists every failed job whose error holds a common phrase, a rare one, or none, newest first, from the start and from deep', async () => {
    const { common, rare } = await failedTexts();
    const middle = encodeCursor(Math.floor(JOBS / 2));
    for (const text of [common, rare, common.slice(3, 14).toUpperCase(), 'no error says this', '100%_\\']) {
      for (const openOnly of [false, true]) {
        const filter: JobFilter = openOnly ? { search: text, unresolved: true } : { search: text, status: ['failed'] };
        const want = await expected(text, openOnly);
        assert.deepEqual(await everyPage(filter, null), want, `"${text}"${openOnly ? ', open only' : ''}`);
        assert.deepEqual(await everyPage(filter, middle), want.filter((id) => id < JOBS / 2), `"${text}" below the middle`);
      }
    }
    assert.ok((await expected(rare, false)).length > 0);
    assert.ok((await expected(common, false)).length > 100, 'the common phrase fills pages');
  });

  it('lists a failure lying just past where the walk stops', async () => {
    const { rare } = await failedTexts();
    const errored = await withClient(db.url, async (c) =>
      (await c.query<{ id: string }>(`SELECT id FROM jobs.tb_job_run WHERE error_fingerprint IS NOT NULL ORDER BY id DESC`)).rows.map((r) => Number(r.id)),
    );
    const failure = (await expected(rare, false)).find((id) => errored.indexOf(id) > WALK_ROWS);
    assert.ok(failure !== undefined, 'a rare failure has enough errored jobs above it');
    // A cursor WALK_ROWS + 1 errored jobs above the failure: the walk reads the WALK_ROWS between, not it.
    const above = errored[errored.indexOf(failure) - WALK_ROWS - 1];
    assert.ok(above !== undefined);
    const page = await store.listJobs({ search: rare, status: ['failed'] }, { limit: 50, after: encodeCursor(above) });
    assert.equal(page.items[0]?.id, (await expected(rare, false)).find((id) => id < above));
    assert.ok(page.items.some((j) => j.id === failure));
  });

  it('keeps the rest of the filter: a queue', async () => {
    const { common } = await failedTexts();
    const queue = await withClient(db.url, async (c) => (await c.query<{ queue: string }>(`SELECT queue FROM jobs.tb_job_run WHERE status = 'failed' LIMIT 1`)).rows[0]?.queue);
    assert.ok(queue !== undefined);
    const inQueue = await everyPage({ search: common, status: ['failed'], queue }, null);
    const all = await everyPage({ search: common, status: ['failed'] }, null);
    const queues = await withClient(db.url, async (c) =>
      (await c.query<{ id: string; queue: string }>(`SELECT id, queue FROM jobs.tb_job_run WHERE id = ANY($1::bigint[])`, [all])).rows,
    );
    const want = new Set(queues.filter((r) => r.queue === queue).map((r) => Number(r.id)));
    assert.deepEqual(inQueue, all.filter((id) => want.has(id)));
    assert.ok(inQueue.length > 0 && inQueue.length < all.length);
  });
});
