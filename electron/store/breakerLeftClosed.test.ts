import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { postgresStoreMadeBefore, sqliteStoreMadeBefore } from './testing/storeMadeBefore.ts';
import type { BreakerRecord } from '../../shared/domain.ts';

/**
 * A store made before breakers kept when they left closed (PostgreSQL 0035, SQLite 0022): a breaker open
 * or half-open then is taken to have left closed when it last opened, so a breaker_open alert measures it
 * from there; a closed one has no outage.
 */
const OPENED = '2026-01-01T00:01:00.000Z';

function check(breakers: BreakerRecord[]): void {
  assert.deepEqual(
    breakers.map((b) => [b.service_name, b.state, b.left_closed_at === null ? null : new Date(b.left_closed_at).toISOString()]),
    [['closed_api', 'closed', null], ['half_api', 'half_open', OPENED], ['open_api', 'open', OPENED]],
  );
}

describe('breakers of a store made before left_closed_at', () => {
  test('SQLite', () =>
    sqliteStoreMadeBefore(
      21,
      (db) => {
        const insert = db.prepare(`INSERT INTO tb_breaker (service_name, state, mode, window_started_at, opened_at, version) VALUES (?, ?, 'auto', ?, ?, 2)`);
        insert.run('open_api', 'open', OPENED, OPENED);
        insert.run('half_api', 'half_open', OPENED, OPENED);
        insert.run('closed_api', 'closed', OPENED, null);
      },
      async (store) => check(await store.listBreakers()),
    ));

  test('PostgreSQL', () =>
    postgresStoreMadeBefore(
      34,
      async (db) => {
        await db.query(
          `INSERT INTO jobs.tb_breaker (service_name, state, opened_at) VALUES ('open_api', 'open', $1), ('half_api', 'half_open', $1), ('closed_api', 'closed', NULL)`,
          [OPENED],
        );
      },
      async (store) => check(await store.listBreakers()),
    ));
});
