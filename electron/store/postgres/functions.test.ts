import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { createTestDatabase, withClient } from '../testing/pgTestDb.ts';
import { functionDefinitions } from './functionDefinitions.ts';
import { openPostgresStore } from './open.ts';

test('functions.sql holds the live claim and settle exactly as the migrations leave them', async () => {
  const db = await createTestDatabase();
  try {
    await (await openPostgresStore(db.url, { poolSize: 1 })).close();
    const live = await functionDefinitions(db.url);
    const file = await readFile(new URL('./functions.sql', import.meta.url), 'utf8');
    assert.ok(live.includes('FUNCTION jobs.opsdeck_claim(') && live.includes('FUNCTION jobs.opsdeck_settle('));
    assert.equal(file, live, 'electron/store/postgres/functions.sql is out of date: run npm run pg:functions');
  } finally {
    await db.drop();
  }
});

test('the claims, their pick and walk of ready jobs and the settle are planned once per connection (0026 to 0028): a later CREATE OR REPLACE must keep the setting', async () => {
  const db = await createTestDatabase();
  try {
    await (await openPostgresStore(db.url, { poolSize: 1 })).close();
    const rows = await withClient(db.url, async (c) =>
      (await c.query<{ name: string; args: string; config: string[] | null }>(
        `SELECT p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args, p.proconfig AS config
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'jobs' AND p.proname IN ('opsdeck_claim', 'opsdeck_claim_gated', 'opsdeck_ready_pick', 'opsdeck_ready_walk', 'opsdeck_settle') ORDER BY 1, 2`,
      )).rows,
    );
    assert.deepEqual(rows.map((r) => r.name), ['opsdeck_claim', 'opsdeck_claim_gated', 'opsdeck_ready_pick', 'opsdeck_ready_walk', 'opsdeck_settle', 'opsdeck_settle']);
    // The settle's two-argument form (0053) is a wrapper for workers of a version before: the three-argument
    // form it calls carries the settings.
    const settles = rows.filter((r) => r.name === 'opsdeck_settle').map((r) => r.args);
    assert.deepEqual(settles, ['p_settlements jsonb, p_done_leases bigint[]', 'p_settlements jsonb, p_done_leases bigint[], p_run_ms integer[]']);
    for (const { name, args, config } of rows.filter((r) => r.args !== settles[0])) {
      assert.ok(config?.includes('plan_cache_mode=force_generic_plan'), `${name}(${args}): ${JSON.stringify(config)}`);
    }
  } finally {
    await db.drop();
  }
});
