import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import { checksum, loadMigrations, migrationsDir, pendingMigrations } from './migrate.ts';
import type { MigrationFile } from './migrate.ts';
import { openStore } from './open.ts';
import { openSqliteStore } from './sqliteOpen.ts';

function file(version: number, sql = `-- ${version}`): MigrationFile {
  return { version, name: `m${version}`, sql, checksum: checksum(sql) };
}

function refusal(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof StoreError);
    return error;
  }
  assert.fail('expected a refusal');
}

async function refusalOf(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StoreError, String(error));
    assert.ok(!error.message.includes('\n'));
    return error;
  }
  assert.fail('expected a refusal');
}

/** A temp folder with a copy of this build's SQLite migrations, and a database path beside it. */
async function sandbox() {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-migrate-'));
  const migrations = join(dir, 'migrations');
  await mkdir(migrations);
  for (const m of await loadMigrations('sqlite')) {
    const name = `${String(m.version).padStart(4, '0')}_${m.name}.sql`;
    await copyFile(join(migrationsDir('sqlite'), name), join(migrations, name));
  }
  return { dir, migrations, db: join(dir, 'ops.db'), done: () => rm(dir, { recursive: true, force: true }) };
}

describe('pendingMigrations', () => {
  it('lists what is not applied yet', () => {
    const files = [file(1), file(2), file(3)];
    assert.deepEqual(pendingMigrations(files, [], 'db').map((f) => f.version), [1, 2, 3]);
    assert.deepEqual(pendingMigrations(files, [files[0], files[1]].map((f) => ({ version: f?.version ?? 0, name: f?.name ?? '', checksum: f?.checksum ?? '' })), 'db').map((f) => f.version), [3]);
  });

  it('refuses a newer schema and a changed or missing file', () => {
    const files = [file(1), file(2)];
    const newer = refusal(() => pendingMigrations(files, [{ version: 1, name: 'm1', checksum: checksum('-- 1') }, { version: 7, name: 'later', checksum: 'x' }], '/x.db'));
    assert.equal(newer.code, 'newer_schema');
    assert.match(newer.message, /newer opsdeck/);
    assert.match(newer.message, /\/x\.db/);
    const changed = refusal(() => pendingMigrations(files, [{ version: 1, name: 'm1', checksum: checksum('-- edited') }], 'db'));
    assert.equal(changed.code, 'migration_changed');
    assert.match(changed.message, /0001_m1/);
    assert.equal(refusal(() => pendingMigrations([file(2)], [{ version: 1, name: 'gone', checksum: 'x' }], 'db')).code, 'migration_changed');
  });

  it('checksums ignore CRLF line endings', () => {
    assert.equal(checksum('a;\r\nb;\r\n'), checksum('a;\nb;\n'));
    assert.notEqual(checksum('a;'), checksum('b;'));
  });
});

describe('migrations on SQLite', () => {
  it("this build's migrations are numbered and load", async () => {
    const files = await loadMigrations('sqlite');
    assert.ok(files.length >= 1);
    assert.deepEqual(files.map((f) => f.version), files.map((_, i) => i + 1));
  });

  it('applies a new migration on open, records it, and reports status', async () => {
    const box = await sandbox();
    try {
      const first = await openSqliteStore(box.db, { migrationsDir: box.migrations });
      const before = await first.migrationStatus();
      assert.deepEqual(before, { applied: before.applied, pending: 0, current: true });
      await first.close();
      await writeFile(join(box.migrations, '0099_extra.sql'), 'CREATE TABLE extra_things (id INTEGER PRIMARY KEY);\n');
      const unmigrated = await openSqliteStore(box.db, { migrationsDir: box.migrations, migrate: false });
      assert.deepEqual(await unmigrated.migrationStatus(), { applied: before.applied, pending: 1, current: false });
      await unmigrated.close();
      const migrated = await openSqliteStore(box.db, { migrationsDir: box.migrations });
      assert.deepEqual(await migrated.migrationStatus(), { applied: before.applied + 1, pending: 0, current: true });
      await migrated.close();
      const raw = new Database(box.db, { readonly: true });
      try {
        const row = raw.prepare(`SELECT version, name, checksum FROM opsdeck_migrations WHERE version = 99`).get();
        assert.deepEqual(row, { version: 99, name: 'extra', checksum: checksum('CREATE TABLE extra_things (id INTEGER PRIMARY KEY);\n') });
      } finally {
        raw.close();
      }
    } finally {
      await box.done();
    }
  });

  it('a file made before the state indexes (0003) keeps its jobs, counts and claims through the upgrade', async () => {
    const box = await sandbox();
    try {
      await rm(join(box.migrations, '0003_state_indexes.sql'));
      const before = await openSqliteStore(box.db, { migrationsDir: box.migrations });
      await before.enqueue(Array.from({ length: 6 }, (_, i) => ({ queue: i % 2 ? 'a' : 'b', service_name: 's', execution_type: 'noop' as const, max_attempts: 1 })));
      const [done, ...held] = await before.claim({ workerId: 'w', limit: 2, leaseMs: 60_000 });
      assert.ok(done && held.length === 1);
      await before.settle([{ jobId: done.id, attemptId: done.attempt_id, workerId: 'w', kind: 'completed' }]);
      const counts = await before.countsByQueueAndStatus();
      await before.close();
      const after = await openSqliteStore(box.db);
      try {
        assert.deepEqual(await after.migrationStatus(), { applied: (await loadMigrations('sqlite')).length, pending: 0, current: true });
        assert.deepEqual(await after.countsByQueueAndStatus(), counts);
        assert.equal((await after.claim({ workerId: 'w', limit: 10, leaseMs: 60_000 })).length, 4);
        assert.deepEqual(await after.runningByService(), { s: 5 });
      } finally {
        await after.close();
      }
    } finally {
      await box.done();
    }
  });

  it('a failing migration leaves nothing half-applied', async () => {
    const box = await sandbox();
    try {
      await writeFile(join(box.migrations, '0099_broken.sql'), 'CREATE TABLE half_done (id INTEGER);\nTHIS IS NOT SQL;\n');
      await assert.rejects(openSqliteStore(box.db, { migrationsDir: box.migrations }));
      const raw = new Database(box.db, { readonly: true });
      try {
        assert.equal(raw.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'half_done'`).pluck().get(), 0);
        assert.equal(raw.prepare(`SELECT count(*) FROM opsdeck_migrations WHERE version = 99`).pluck().get(), 0);
      } finally {
        raw.close();
      }
    } finally {
      await box.done();
    }
  });

  it('refuses a database migrated by a newer opsdeck', async () => {
    const box = await sandbox();
    try {
      await (await openStore(box.db)).close();
      const raw = new Database(box.db);
      raw.prepare(`INSERT INTO opsdeck_migrations (version, name, checksum, applied_at) VALUES (9999, 'future', 'abc', 'now')`).run();
      raw.close();
      const error = await refusalOf(openStore(box.db));
      assert.equal(error.code, 'newer_schema');
      assert.match(error.message, /9999/);
      assert.equal((await refusalOf(openStore(box.db, { migrate: false }))).code, 'newer_schema');
    } finally {
      await box.done();
    }
  });

  it('refuses a database whose applied migration file changed', async () => {
    const box = await sandbox();
    try {
      await (await openSqliteStore(box.db, { migrationsDir: box.migrations })).close();
      await writeFile(join(box.migrations, '0001_init.sql'), '-- edited\n');
      const error = await refusalOf(openSqliteStore(box.db, { migrationsDir: box.migrations }));
      assert.equal(error.code, 'migration_changed');
      assert.match(error.message, /0001_init/);
    } finally {
      await box.done();
    }
  });
});
