import { runStoreContract } from './contractSuite.ts';
import { openStore } from './open.ts';
import type { Store } from './store.ts';
import { createSqliteTestStore } from './testing/sqliteTestDb.ts';

runStoreContract('sqlite', async () => {
  const { store, path, cleanup } = await createSqliteTestStore();
  const seconds: Store[] = [];
  return {
    store,
    async openSecond() {
      const second = await openStore(path);
      seconds.push(second);
      return second;
    },
    async cleanup() {
      await Promise.all(seconds.map((s) => s.close()));
      await cleanup();
    },
  };
});
