import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { claimOne, mustGet, sleep } from '../contract/fixtures.ts';
import type { Store } from '../store.ts';
import { createTestDatabase, withClient } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';
import { settleParams } from './jobs.ts';
import { openPostgresStore } from './open.ts';

/**
 * How a settle reaches opsdeck_settle (0053): each record as short as its fields allow, and how long each
 * attempt ran beside the records, by place, not as one more field of every record the function parses.
 * The two-argument form, which workers of a version before call, settles as it did.
 */

const Records = z.array(z.array(z.unknown()));
const key = { jobId: 7, attemptId: 70, workerId: 'w1' };

test('a completion\'s record stays its first fields, trailing empty ones left off; how long it ran goes in the third parameter, by place', () => {
  const [json, leases, runMs] = settleParams(
    [
      { ...key, kind: 'completed', run_ms: 48.4 },
      { ...key, jobId: 8, attemptId: 80, kind: 'completed', output_tail: 'done', resource_usage: { duration_ms: 3 } },
      { ...key, jobId: 9, attemptId: 90, kind: 'interrupted', reason: 'worker shutdown', ran: false },
      { ...key, jobId: 10, attemptId: 100, kind: 'completed', run_ms: -5 },
    ],
    [3],
  );
  assert.deepEqual(Records.parse(JSON.parse(json)), [
    [7, 70, 'w1', 'completed', 'completed'],
    [8, 80, 'w1', 'completed', 'completed', { duration_ms: 3 }, 'done'],
    [9, 90, 'w1', 'interrupted', 'interrupted', null, null, null, 'worker shutdown', null, null, null, false],
    [10, 100, 'w1', 'completed', 'completed'],
  ]);
  assert.deepEqual(leases, [3]);
  assert.deepEqual(runMs, [48, null, null, null], 'whole ms, none where it does not say or says what no run can have');
});

describe('the settle\'s forms on PostgreSQL', () => {
  let db: TestDatabase;
  let store: Store;

  before(async () => {
    db = await createTestDatabase({ migrated: true });
    store = await openPostgresStore(db.url, { poolSize: 1 });
  });

  after(async () => {
    await store.close();
    await db.drop();
  });

  test('the two-argument form, a worker of a version before, settles as it did: its start stays the claim', async () => {
    const claimed = await claimOne(store);
    const claimedAt = (await mustGet(store, claimed.id)).started_at;
    await sleep(50);
    const landed = await withClient(db.url, async (c) =>
      (await c.query<{ id: string }>('SELECT id FROM jobs.opsdeck_settle($1::jsonb, $2::bigint[])', [JSON.stringify([[claimed.id, claimed.attempt_id, 'w1', 'completed', 'completed']]), []])).rows,
    );
    assert.deepEqual(landed.map((r) => Number(r.id)), [claimed.id]);
    const done = await mustGet(store, claimed.id);
    assert.deepEqual([done.status, done.started_at], ['completed', claimedAt]);
  });

  test('the three-argument form dates each record\'s start by the length at its place', async () => {
    const first = await claimOne(store);
    const second = await claimOne(store);
    await sleep(300);
    const records = [first, second].map((c) => [c.id, c.attempt_id, 'w1', 'completed', 'completed']);
    await withClient(db.url, (c) => c.query('SELECT id FROM jobs.opsdeck_settle($1::jsonb, $2::bigint[], $3::int[])', [JSON.stringify(records), [], [null, 40]]));
    const [a, b] = [await mustGet(store, first.id), await mustGet(store, second.id)];
    const took = (job: typeof a) => Date.parse(job.completed_at ?? '') - Date.parse(job.started_at ?? '');
    assert.ok(took(a) >= 300, `the first said nothing: from its claim, ${took(a)} ms`);
    assert.equal(took(b), 40, 'the second ran 40 ms');
  });
});
