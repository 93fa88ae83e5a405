import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../open.ts';
import type { Store } from '../store.ts';
import { createTestDatabase, type TestDatabase } from '../testing/pgTestDb.ts';
import { NONE_DUE_REST_MS } from './gates.ts';

let db: TestDatabase;
let store: Store;
before(async () => {
  db = await createTestDatabase({ migrated: true });
  store = await openStore(db.url);
});
after(async () => {
  await store.close();
  await db.drop();
});

const gate = { service: 'limited', limit: 10, perMs: 1000, maxConcurrent: null };
const job = (extra = {}) => ({ queue: 'default', service_name: 'limited', execution_type: 'noop' as const, max_attempts: 1, ...extra });

test('a gated service with pending jobs none of which is due is walked for once, then rests a moment', async () => {
  await store.enqueue([job({ run_at: new Date(Date.now() + 60_000).toISOString() })]);
  assert.deepEqual(await store.claim({ workerId: 'w', limit: 5, leaseMs: 60_000, gates: [gate] }), [], 'nothing due');
  await store.enqueue([job({ identifier: 'due-now' })]);
  assert.deepEqual(await store.claim({ workerId: 'w', limit: 5, leaseMs: 60_000, gates: [gate] }), [], 'resting: no walk for it yet');
  await new Promise((r) => setTimeout(r, NONE_DUE_REST_MS + 50));
  const claimed = await store.claim({ workerId: 'w', limit: 5, leaseMs: 60_000, gates: [gate] });
  assert.deepEqual(claimed.map((c) => c.identifier), ['due-now']);
  assert.deepEqual(await store.checkCounts(false), []);
});
