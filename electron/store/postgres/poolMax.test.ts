import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../contract/fixtures.ts';
import { StoreError } from '../errors.ts';
import { openStore } from '../open.ts';
import { createTestDatabase, withClient, type TestDatabase } from '../testing/pgTestDb.ts';
import { pgPoolMax } from './poolMax.ts';

describe('OPSDECK_PG_POOL_MAX', () => {
  it('is 8 unset or empty, and any whole number from 2 to 100 as given', () => {
    assert.equal(pgPoolMax({}), 8);
    assert.equal(pgPoolMax({ OPSDECK_PG_POOL_MAX: '' }), 8);
    assert.equal(pgPoolMax({ OPSDECK_PG_POOL_MAX: ' 2 ' }), 2);
    assert.equal(pgPoolMax({ OPSDECK_PG_POOL_MAX: '100' }), 100);
    assert.equal(pgPoolMax({ OPSDECK_PG_POOL_MAX: '024' }), 24);
  });

  it('refuses anything else, naming the variable, what it got and the range', () => {
    for (const bad of ['1', '0', '101', '-4', '2.5', '1e1', 'eight', '0x10', '8 connections']) {
      assert.throws(
        () => pgPoolMax({ OPSDECK_PG_POOL_MAX: bad }),
        (error: unknown) =>
          error instanceof StoreError &&
          error.code === 'bad_setting' &&
          error.message.startsWith(`OPSDECK_PG_POOL_MAX is ${JSON.stringify(bad)}, not a whole number from 2 to 100;`) &&
          /unset it for 8/.test(error.hint),
        bad,
      );
    }
  });

  it('is refused when a PostgreSQL store is opened, before any connection; a SQLite store does not read it', async () => {
    // Nothing listens on port 1: a connection attempt would fail as unreachable instead.
    await assert.rejects(openStore('postgres://ops@127.0.0.1:1/jobs', { env: { OPSDECK_PG_POOL_MAX: '500' } }), (error: unknown) => error instanceof StoreError && error.code === 'bad_setting');
    const sqlite = await openStore(':memory:', { env: { OPSDECK_PG_POOL_MAX: '500' } });
    await sqlite.close();
  });

  describe('on a store opened with it', () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase({ migrated: true });
    });
    after(async () => {
      await db.drop();
    });

    it('holds that many connections at most, however many calls wait', async () => {
      const store = await openStore(db.url, { env: { OPSDECK_PG_POOL_MAX: '3' } });
      const waiting = () =>
        withClient(db.url, async (c) =>
          Number((await c.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'opsdeck' AND wait_event_type = 'Lock'`)).rows[0].n),
        );
      try {
        await withClient(db.url, async (holder) => {
          await holder.query('BEGIN');
          await holder.query('LOCK TABLE jobs.tb_worker IN ACCESS EXCLUSIVE MODE');
          let reads: Promise<unknown> = Promise.resolve();
          try {
            reads = Promise.all(Array.from({ length: 8 }, () => store.listWorkers(10_000)));
            let seen = 0;
            for (let tries = 0; seen < 3 && tries < 100; tries++) {
              await sleep(50);
              seen = await waiting();
            }
            assert.equal(seen, 3, 'three reads hold a connection each, waiting on the lock');
            await sleep(300);
            assert.equal(await waiting(), 3, 'the other five wait in the pool, not on connections of their own');
          } finally {
            await holder.query('ROLLBACK');
          }
          await reads;
        });
      } finally {
        await store.close();
      }
    });
  });
});
