import { openStore } from '../open.ts';
import type { Store } from '../store.ts';
import { createTestDatabase } from './pgTestDb.ts';
import { createSqliteTestStore } from './sqliteTestDb.ts';

/** Two stores on one fresh database, as two processes of a fleet hold it; `close` closes both and removes it. */
export interface TwoStores {
  first: Store;
  second: Store;
  close(): Promise<void>;
}

export async function twoSqliteStores(): Promise<TwoStores> {
  const { store, path, cleanup } = await createSqliteTestStore();
  const second = await openStore(path);
  return {
    first: store,
    second,
    async close() {
      await second.close();
      await cleanup();
    },
  };
}

export async function twoPostgresStores(): Promise<TwoStores> {
  const db = await createTestDatabase({ migrated: true });
  const first = await openStore(db.url);
  const second = await openStore(db.url);
  return {
    first,
    second,
    async close() {
      await first.close();
      await second.close();
      await db.drop();
    },
  };
}
