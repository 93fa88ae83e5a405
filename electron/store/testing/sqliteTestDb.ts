import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../open.ts';
import type { Store } from '../store.ts';

/** A fresh, migrated SQLite store in its own temp folder; cleanup closes it and removes the folder. */
export async function createSqliteTestStore(): Promise<{ store: Store; path: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-sqlite-'));
  const path = join(dir, 'opsdeck.db');
  const store = await openStore(path);
  return {
    store,
    path,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
