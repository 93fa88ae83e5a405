import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadMigrations, migrate } from '../migrate.ts';
import { sqliteMigrationAdapter } from '../sqlite/migrations.ts';
import { earlierMigrations } from './earlierMigrations.ts';

/**
 * An SQLite file as an earlier opsdeck left it, `behind` migrations short of this build's: in WAL mode,
 * its migrations applied, closed. `total` is this build's count; `done` removes the file and its folder.
 */
export async function sqliteFileBehind(behind: number): Promise<{ path: string; total: number; done(): Promise<void> }> {
  const total = (await loadMigrations('sqlite')).length;
  const earlier = await earlierMigrations('sqlite', total - behind);
  const path = join(earlier.dir, 'older.db');
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    await migrate(sqliteMigrationAdapter(db, path), earlier.migrations);
  } finally {
    db.close();
  }
  return { path, total, done: earlier.done };
}
