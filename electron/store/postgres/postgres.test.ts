import { after, before, describe } from 'node:test';
import { runStoreContract } from '../contract/index.ts';
import { openPostgresStore } from './open.ts';
import { createTestDatabase, resetTestDatabase } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';

describe('postgres store', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrated: true });
  });
  after(async () => {
    await db.drop();
  });

  runStoreContract('postgres', async () => {
    await resetTestDatabase(db.url);
    const store = await openPostgresStore(db.url, { poolSize: 4 });
    return {
      store,
      cleanup: () => store.close(),
      openSecond: () => openPostgresStore(db.url, { poolSize: 2 }),
    };
  });
});
