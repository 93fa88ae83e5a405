import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, withClient } from '../electron/store/testing/pgTestDb.ts';
import type { TestDatabase } from '../electron/store/testing/pgTestDb.ts';
import { serverCpuClock } from './serverCpu.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.drop();
});

test('the server clock reads nothing for SQLite or a server on another machine', () => {
  assert.equal(serverCpuClock('/tmp/opsdeck.db')(), null);
  assert.equal(serverCpuClock('postgres://ops@db.example.com:5432/opsdeck')(), null);
});

test("the server clock counts a local server's work, a backend that has exited included", async (t) => {
  const clock = serverCpuClock(db.url);
  const start = clock();
  if (start === null) {
    t.skip(`the test server (${new URL(db.url).hostname}) is not a PostgreSQL whose processes this machine can read`);
    return;
  }
  // About half a second of one backend's CPU, on a connection that is closed before the clock is read again.
  await withClient(db.url, (c) => c.query('SELECT count(*) FROM generate_series(1, 5000000) AS g WHERE g % 7 = 3'));
  const spent = (clock() ?? 0) - start;
  assert.ok(spent >= 100, `the server spent ${spent} ms`);
});
