import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migrationsDir } from '../migrate.ts';
import type { Dialect } from '../migrate.ts';

/**
 * A temp folder holding this build's migrations of a dialect up to `upTo`: migrated with it, a store is as
 * an earlier opsdeck left it. `dir` is the folder itself, beside which a test may keep its database file.
 */
export async function earlierMigrations(dialect: Dialect, upTo = Number.POSITIVE_INFINITY): Promise<{ dir: string; migrations: string; done(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-migrate-'));
  const migrations = join(dir, 'migrations');
  await mkdir(migrations);
  for (const m of (await loadMigrations(dialect)).filter((f) => f.version <= upTo)) {
    const name = `${String(m.version).padStart(4, '0')}_${m.name}.sql`;
    await copyFile(join(migrationsDir(dialect), name), join(migrations, name));
  }
  return { dir, migrations, done: () => rm(dir, { recursive: true, force: true }) };
}
