import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { createTestDatabase } from '../testing/pgTestDb.ts';
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
