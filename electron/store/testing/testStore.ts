import type { Store } from '../store.ts';
import { openStore } from '../open.ts';
import { createTestDatabase } from './pgTestDb.ts';
import { createSqliteTestStore } from './sqliteTestDb.ts';

/** A fresh, migrated store of either dialect, for a test run on both, and how to be rid of it. */
export async function createTestStore(kind: 'sqlite' | 'postgres'): Promise<{ store: Store; cleanup(): Promise<void> }> {
  if (kind === 'sqlite') {
    const sqlite = await createSqliteTestStore();
    return { store: sqlite.store, cleanup: sqlite.cleanup };
  }
  const db = await createTestDatabase({ migrated: true });
  const store = await openStore(db.url);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await db.drop();
    },
  };
}
