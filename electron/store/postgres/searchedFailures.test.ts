import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JobFilter } from '../../../shared/domain.ts';
import { encodeCursor } from '../cursor.ts';
import type { Store } from '../store.ts';
import { fillPostgresHistory } from '../testing/history/postgres.ts';
import { createTestDatabase, withClient } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';
import { PgDb } from './db.ts';
import type { Row } from './db.ts';
import { openPostgresStore } from './open.ts';
import { listJobs } from './reads.ts';
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
    assert.ok(
      ids.every((id, i) => i === 0 || id < (ids[i - 1] ?? Infinity)),
      `each job once, newest first: ${ids.slice(-60).join(',')}`,
    );
    if (page.next_cursor === null) return ids;
    cursor = page.next_cursor;
  }
  throw new Error('the listing never ended');
}

/**
 * Failed error texts of the fill: the most common, which fills pages within a walk; one of middling
 * frequency, a few matches within a walk and more below it, so a page joins the two; and the least common.
 */
async function failedTexts(): Promise<{ common: string; middling: string; rare: string }> {
  return withClient(db.url, async (c) => {
    const { rows } = await c.query<{ error_message: string; n: string }>(
      `SELECT error_message, count(*) AS n FROM jobs.tb_job_run WHERE status = 'failed' GROUP BY error_message ORDER BY count(*) DESC, error_message`,
    );
    const common = rows[0]?.error_message;
    const rare = rows.at(-1)?.error_message;
    const middling = rows.find((r) => Number(r.n) >= 40 && Number(r.n) <= 120)?.error_message;
    assert.ok(common !== undefined && rare !== undefined && middling !== undefined && common !== rare, 'the fill has failures of several texts');
    return { common, middling, rare };
  });
}

describe('postgres: searching failed jobs', () => {
  it('has more errored jobs than one walk reads, so the listing must look below the walk', async () => {
    const errored = await withClient(db.url, async (c) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM jobs.tb_job_run WHERE error_fingerprint IS NOT NULL`)).rows[0]?.n));
    assert.ok(errored > 2 * WALK_ROWS, `${errored} errored jobs`);
  });

  it('lists every failed job whose error holds a common phrase, a rare one, or none, newest first, from the start and from deep', async () => {
    const { common, middling, rare } = await failedTexts();
    const middle = encodeCursor(Math.floor(JOBS / 2));
    for (const text of [common, middling, rare, common.slice(3, 14).toUpperCase(), 'no error says this', '100%_\\']) {
      for (const openOnly of [false, true]) {
        const filter: JobFilter = openOnly ? { search: text, unresolved: true } : { search: text, status: ['failed'] };
        const want = await expected(text, openOnly);
        assert.deepEqual(await everyPage(filter, null), want, `"${text}"${openOnly ? ', open only' : ''}`);
        assert.deepEqual(await everyPage(filter, middle), want.filter((id) => id < JOBS / 2), `"${text}" below the middle`);
      }
    }
    assert.ok((await expected(rare, false)).length > 0);
    assert.ok((await expected(common, false)).length > 100, 'the common phrase fills pages');
    const middlingInOneWalk = await withClient(db.url, async (c) =>
      Number(
        (
          await c.query<{ n: string }>(
            `SELECT count(*) FILTER (WHERE status = 'failed' AND error_message = $1) AS n
             FROM (SELECT status, error_message FROM jobs.tb_job_run WHERE error_fingerprint IS NOT NULL ORDER BY id DESC LIMIT $2) w`,
            [middling, WALK_ROWS],
          )
        ).rows[0]?.n,
      ),
    );
    assert.ok(middlingInOneWalk > 0 && middlingInOneWalk < 50, `the middling phrase has ${middlingInOneWalk} matches in the first walk: some, less than a page`);
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

/** Another session's commit, run once right after the listing's first statement about the errored jobs has answered. */
class Interleaved extends PgDb {
  between: string | null = null;
  override async read(text: string, values: unknown[] = [], name?: string): Promise<Row[]> {
    const rows = await super.read(text, values, name);
    const sql = this.between;
    if (sql !== null && text.includes('error_fingerprint IS NOT NULL')) {
      this.between = null;
      await this.pool.query(sql);
    }
    return rows;
  }
}

describe('postgres: searching failed jobs while jobs change', () => {
  /** A rare failure `below` errored jobs below a cursor: WALK_ROWS, the walk's last; WALK_ROWS + 1, just past it. */
  async function walkEndingAt(below: number): Promise<{ rare: string; failure: number; cursor: number; errored: number[] }> {
    const { rare } = await failedTexts();
    const errored = await withClient(db.url, async (c) =>
      (await c.query<{ id: string }>(`SELECT id FROM jobs.tb_job_run WHERE error_fingerprint IS NOT NULL ORDER BY id DESC`)).rows.map((r) => Number(r.id)),
    );
    const failure = (await expected(rare, false)).find((id) => errored.indexOf(id) > WALK_ROWS + 20);
    const cursor = failure === undefined ? undefined : errored[errored.indexOf(failure) - below];
    assert.ok(failure !== undefined && cursor !== undefined);
    return { rare, failure, cursor, errored };
  }

  it('a job failing for the first time inside the walked range meanwhile: every job still once', async () => {
    const { rare, failure, cursor } = await walkEndingAt(WALK_ROWS);
    const fresh = await withClient(db.url, async (c) =>
      Number((await c.query<{ id: string }>(`SELECT id FROM jobs.tb_job_run WHERE error_fingerprint IS NULL AND id > $1 AND id < $2 ORDER BY id LIMIT 1`, [failure, cursor])).rows[0]?.id),
    );
    const reader = new Interleaved(db.url, 2);
    try {
      reader.between = `UPDATE jobs.tb_job_run SET error_fingerprint = 'meanwhile', error_message = 'meanwhile' WHERE id = ${fresh}`;
      const ids = (await listJobs(reader, { search: rare, status: ['failed'] }, { limit: 50, after: encodeCursor(cursor) })).items.map((j) => j.id);
      assert.equal(reader.between, null, 'the change was made between the two statements');
      assert.equal(new Set(ids).size, ids.length, `each job once: ${ids.join(',')}`);
      assert.ok(ids.includes(failure));
    } finally {
      await reader.pool.end();
    }
  });

  it('an errored job pruned inside the walked range meanwhile: the failure past it is still listed', async () => {
    const { rare, failure, cursor, errored } = await walkEndingAt(WALK_ROWS + 1);
    const victim = errored[errored.indexOf(failure) - 10];
    assert.ok(victim !== undefined && !(await expected(rare, false)).includes(victim));
    const reader = new Interleaved(db.url, 2);
    try {
      reader.between = `DELETE FROM jobs.tb_job_run WHERE id = ${victim}`;
      const ids = (await listJobs(reader, { search: rare, status: ['failed'] }, { limit: 50, after: encodeCursor(cursor) })).items.map((j) => j.id);
      assert.equal(reader.between, null, 'the change was made between the two statements');
      assert.ok(ids.includes(failure), `failed job ${failure} is listed: ${ids.join(',')}`);
    } finally {
      await reader.pool.end();
    }
  });
});
