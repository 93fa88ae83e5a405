import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { JobFilter } from '../../../shared/domain.ts';
import { job } from '../contract/fixtures.ts';
import { createSqliteTestStore } from '../testing/sqliteTestDb.ts';
import { CreatedWindow, SMALL_RANGE } from './createdWindow.ts';

const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();

test('a creation-time range lists exactly its jobs, newest created first, small or large, whatever order they were created in', async () => {
  const { store, path, cleanup } = await createSqliteTestStore();
  const raw = new Database(path);
  try {
    const count = SMALL_RANGE + 500;
    await store.enqueue(Array.from({ length: count }, (_, i) => job(`svc${i % 3}`)));
    // Creation times a day apart from each other's neighbours in id order: by id, no range is contiguous.
    const start = Date.UTC(2026, 0, 1);
    raw.prepare(`UPDATE tb_job_run SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', ? / 1000.0 + ((id * 7919) % ?) * 3600, 'unixepoch')`).run(start, count);
    const created = new Map(raw.prepare<[], { id: number; created_at: string }>('SELECT id, created_at FROM tb_job_run').all().map((r) => [r.id, r.created_at]));
    const expected = (after: string | null, before: string | null, service?: string) =>
      [...created]
        .filter(([id, c]) => (after === null || c >= after) && (before === null || c < before) && (service === undefined || `svc${(id - 1) % 3}` === service))
        .sort(([x, cx], [y, cy]) => (cx === cy ? y - x : cx < cy ? 1 : -1))
        .map(([id]) => id);
    const listed = async (filter: JobFilter) => {
      const ids: number[] = [];
      let after: string | null = null;
      do {
        const page = await store.listJobs(filter, { limit: 200, after });
        ids.push(...page.items.map((j) => j.id));
        after = page.next_cursor;
      } while (after !== null);
      return ids;
    };
    const ranges: Array<[string | null, string | null]> = [
      [at(start + 100 * HOUR), at(start + 130 * HOUR)],
      [at(start + 100 * HOUR), null],
      [null, at(start + 40 * HOUR)],
      [at(start + count * HOUR), null],
      [null, at(start)],
      [null, at(start + count * HOUR)],
    ];
    for (const [after, before] of ranges) {
      const filter = { ...(after === null ? {} : { created_after: after }), ...(before === null ? {} : { created_before: before }) };
      assert.deepEqual(await listed(filter), expected(after, before), JSON.stringify(filter));
      assert.deepEqual(await listed({ ...filter, service: 'svc1' }), expected(after, before, 'svc1'), `${JSON.stringify(filter)} of svc1`);
    }
  } finally {
    raw.close();
    await cleanup();
  }
});

test('a range is small below SMALL_RANGE jobs, counted through the creation-time index', async () => {
  const { store, path, cleanup } = await createSqliteTestStore();
  const raw = new Database(path);
  try {
    await store.enqueue(Array.from({ length: SMALL_RANGE }, () => job('svc')));
    const window = new CreatedWindow(raw);
    assert.equal(window.isSmall({ after: null, before: null }), false, 'every job');
    assert.equal(window.isSmall({ after: at(Date.now() + HOUR), before: null }), true, 'none yet');
    raw.prepare('UPDATE tb_job_run SET created_at = ? WHERE id = (SELECT min(id) FROM tb_job_run)').run(at(Date.UTC(2020, 0, 1)));
    assert.equal(window.isSmall({ after: at(Date.UTC(2021, 0, 1)), before: null }), true, 'one short of SMALL_RANGE');
    assert.equal(window.isSmall({ after: null, before: at(Date.UTC(2021, 0, 1)) }), true, 'the one job before');
  } finally {
    raw.close();
    await cleanup();
  }
});
