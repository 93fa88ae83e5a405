import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import { checksum, loadMigrations, migrate, pendingMigrations } from './migrate.ts';
import type { MigrationFile } from './migrate.ts';
import { openStore } from './open.ts';
import { openSqliteStore } from './sqlite/open.ts';
import { sqliteMigrationAdapter } from './sqlite/migrations.ts';
import { earlierMigrations } from './testing/earlierMigrations.ts';

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

/** This build's SQLite migrations up to `upTo` (a file as an earlier opsdeck left it), and a database path beside them. */
async function sandbox(upTo = Number.POSITIVE_INFINITY) {
  const earlier = await earlierMigrations('sqlite', upTo);
  return { ...earlier, db: join(earlier.dir, 'ops.db') };
}

/**
 * Makes the sandbox's database as an earlier opsdeck left it: only the sandbox's migrations applied, and
 * rows written by hand in that schema (this build's store expects the newest schema).
 */
async function earlierFile(box: { db: string; migrations: string }, seed: (db: Database.Database) => void): Promise<void> {
  const db = new Database(box.db);
  try {
    await migrate(sqliteMigrationAdapter(db, box.db), box.migrations);
    seed(db);
  } finally {
    db.close();
  }
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
    const box = await sandbox(2);
    try {
      await earlierFile(box, (db) => {
        const insert = db.prepare(
          `INSERT INTO tb_job_run (identifier, queue, service_name, execution_type, status, attempts, max_attempts, run_at, lease_owner, lease_expires_at, completed_at)
           VALUES (?, ?, 's', 'noop', ?, ?, 1, '2026-01-01T00:00:00.000Z', ?, ?, ?)`,
        );
        insert.run('done', 'a', 'completed', 1, null, null, '2026-01-01T00:00:01.000Z');
        insert.run('held', 'b', 'running', 1, 'w', '2999-01-01T00:00:00.000Z', null);
        for (let i = 0; i < 4; i++) insert.run(`waiting-${i}`, i % 2 ? 'a' : 'b', 'pending', 0, null, null, null);
      });
      const after = await openSqliteStore(box.db);
      try {
        assert.deepEqual(await after.migrationStatus(), { applied: (await loadMigrations('sqlite')).length, pending: 0, current: true });
        const counts = (await after.countsByQueueAndStatus()).map((c) => `${c.queue}/${c.status}=${c.count}`).sort();
        assert.deepEqual(counts, ['a/completed=1', 'a/pending=2', 'b/pending=2', 'b/running=1']);
        assert.equal((await after.claim({ workerId: 'w', limit: 10, leaseMs: 60_000 })).length, 4);
        assert.deepEqual(await after.runningByService(), { s: 5 });
      } finally {
        await after.close();
      }
    } finally {
      await box.done();
    }
  });

  it('a file made before the id floor (0004) never hands a new job the id of a job it purges', async () => {
    const box = await sandbox(3);
    try {
      await earlierFile(box, (db) => {
        const insert = db.prepare(
          `INSERT INTO tb_job_run (identifier, service_name, execution_type, status, attempts, max_attempts, run_at, error_fingerprint)
           VALUES (?, 's', 'noop', 'failed', 1, 1, '2026-01-01T00:00:00.000Z', 'f')`,
        );
        for (let i = 0; i < 3; i++) insert.run(`dead-${i}`);
      });
      const after = await openSqliteStore(box.db);
      try {
        const actor = { user: 'alice', host: 'laptop' };
        assert.equal(await after.dlqResolve({}, 'done', actor), 3);
        assert.equal(await after.purgeResolved(new Date(Date.now() + 60_000), actor), 3);
        const [next] = await after.enqueue([{ queue: 'q', service_name: 's', execution_type: 'noop', max_attempts: 1 }]);
        assert.equal(next?.id, 4, 'jobs 1 to 3 were purged; their ids stay theirs');
      } finally {
        await after.close();
      }
    } finally {
      await box.done();
    }
  });

  it('a file made before workflows (0011) keeps its jobs, attempts, error search, failure classes and counts through the job table rebuild', async () => {
    const box = await sandbox(8);
    try {
      await earlierFile(box, (db) => {
        const insert = db.prepare(
          `INSERT INTO tb_job_run (id, identifier, queue, service_name, execution_type, status, attempts, max_attempts, run_at, error_message, error_fingerprint, completed_at)
           VALUES (?, ?, 'q', 's', 'noop', ?, 1, 1, '2026-01-01T00:00:00.000Z', ?, ?, ?)`,
        );
        insert.run(7, 'ok-7', 'completed', null, null, '2026-01-01T00:00:01.000Z');
        insert.run(9, 'dead-9', 'failed', 'disk quota exceeded on /var', 'f-disk', '2026-01-01T00:00:02.000Z');
        insert.run(12, 'later-12', 'pending', null, null, null);
        const attempt = db.prepare(`INSERT INTO tb_job_attempt (job_id, attempt, worker_id, started_at, outcome, output_tail) VALUES (?, 1, 'w', '2026-01-01T00:00:00.000Z', ?, ?)`);
        attempt.run(7, 'completed', 'all good');
        attempt.run(9, 'failed', null);
        db.prepare(`UPDATE tb_job_attempt SET error_class = 'LeaseExpired' WHERE job_id = 9`).run();
        db.prepare(`INSERT INTO tb_job_count (queue, service_name, execution_type, state, fingerprint, n) VALUES ('q', 's', 'noop', ?, ?, 1)`).run('completed', '');
        db.prepare(`INSERT INTO tb_job_count (queue, service_name, execution_type, state, fingerprint, n) VALUES ('q', 's', 'noop', ?, ?, 1)`).run('failed', '');
        db.prepare(`INSERT INTO tb_job_count (queue, service_name, execution_type, state, fingerprint, n) VALUES ('q', 's', 'noop', ?, ?, 1)`).run('dead_letter', 'f-disk');
        db.prepare(`INSERT INTO tb_job_count (queue, service_name, execution_type, state, fingerprint, n) VALUES ('q', 's', 'noop', ?, ?, 1)`).run('pending', '');
      });
      const after = await openSqliteStore(box.db);
      try {
        assert.equal((await after.migrationStatus()).current, true);
        assert.deepEqual((await after.listJobs({}, { limit: 10 })).items.map((j) => [j.id, j.identifier, j.status]), [
          [12, 'later-12', 'pending'],
          [9, 'dead-9', 'failed'],
          [7, 'ok-7', 'completed'],
        ]);
        assert.equal((await after.listAttempts(7))[0]?.output_tail, 'all good');
        assert.deepEqual((await after.listJobs({ search: 'quota exceeded' }, { limit: 10 })).items.map((j) => j.id), [9], 'the error text index still finds its jobs');
        assert.deepEqual((await after.listJobs({ error_class: 'lost' }, { limit: 10 })).items.map((j) => j.id), [9], 'a lease expiry of before is class lost, found through the rebuilt class index');
        assert.deepEqual(await after.checkCounts(false), []);
        const actor = { user: 'alice', host: 'laptop' };
        assert.equal(await after.dlqResolve({}, 'done', actor), 1);
        assert.equal(await after.purgeResolved(new Date(Date.now() + 60_000), actor), 1);
        assert.deepEqual(await after.listAttempts(9), [], "a purged job's attempts go with it: the foreign key follows the new table");
        assert.equal((await after.listAttempts(7)).length, 1);
        const [next] = await after.enqueue([{ queue: 'q', service_name: 's', execution_type: 'noop', max_attempts: 1 }]);
        assert.equal(next?.id, 13);
      } finally {
        await after.close();
      }
    } finally {
      await box.done();
    }
  });

  it('a file made before fingerprints were required (0014) shows its old dead letters in a group, counted once', async () => {
    const box = await sandbox(13);
    try {
      await earlierFile(box, (db) => {
        db.prepare(
          `INSERT INTO tb_job_run (id, identifier, queue, service_name, execution_type, status, attempts, max_attempts, run_at, error_message, error_fingerprint, completed_at)
           VALUES (3, 'old-3', 'q', 's', 'noop', 'failed', 1, 1, '2026-01-01T00:00:00.000Z', 'gone wrong long ago', NULL, '2026-01-01T00:00:01.000Z')`,
        ).run();
        db.prepare(`INSERT INTO tb_job_count (queue, service_name, execution_type, state, fingerprint, n) VALUES ('q', 's', 'noop', 'failed', '', 1)`).run();
        db.prepare(`INSERT INTO tb_job_count (queue, service_name, execution_type, state, fingerprint, n) VALUES ('q', 's', 'noop', 'dead_letter', '', 1)`).run();
      });
      const after = await openSqliteStore(box.db);
      try {
        assert.equal(await after.deadLetterCount(), 1);
        const groups = await after.dlqGroups({});
        assert.deepEqual(groups.map((g) => [g.fingerprint, g.count]), [['', 1]]);
        assert.deepEqual(await after.checkCounts(false), []);
      } finally {
        await after.close();
      }
    } finally {
      await box.done();
    }
  });

  it('a file made before the failure rollups (0019) shows the last day\'s failed attempts in recent failures', async () => {
    const box = await sandbox(18);
    const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
    try {
      await earlierFile(box, (db) => {
        const job = db.prepare(
          `INSERT INTO tb_job_run (id, identifier, queue, service_name, execution_type, status, attempts, max_attempts, run_at, error_message, error_fingerprint, completed_at)
           VALUES (?, ?, 'q', 'api', 'http', 'failed', 2, 2, ?, ?, 'fp-503', ?)`,
        );
        const attempt = db.prepare(
          `INSERT INTO tb_job_attempt (job_id, attempt, worker_id, started_at, finished_at, outcome, error_message, error_class)
           VALUES (?, ?, 'w', ?, ?, 'failed', ?, 'http_503')`,
        );
        job.run(1, 'recent', at(700_000), 'HTTP 503 the second time', at(300_000));
        attempt.run(1, 1, at(600_000), at(600_000), 'HTTP 503 the first time');
        attempt.run(1, 2, at(300_000), at(300_000), 'HTTP 503 the second time');
        job.run(2, 'old', at(3 * 86_400_000), 'HTTP 503 long ago', at(3 * 86_400_000));
        attempt.run(2, 1, at(3 * 86_400_000), at(3 * 86_400_000), 'HTTP 503 long ago');
      });
      const after = await openSqliteStore(box.db);
      try {
        const { groups, total } = await after.recentFailures(new Date(Date.now() - 86_400_000), null, 10);
        assert.equal(total, 2, 'the two attempts of the last day, not the one of three days ago');
        assert.deepEqual(
          groups.map((g) => [g.service_name, g.error_class, g.fingerprint, g.failures, g.dead_lettered, g.sample_error]),
          [['api', 'http_503', 'fp-503', 2, 1, 'HTTP 503 the second time']],
        );
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
