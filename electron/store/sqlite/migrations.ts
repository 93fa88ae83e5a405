import type Database from 'better-sqlite3';
import type { AppliedMigration, MigrationAdapter, MigrationTx } from '../migrate.ts';

interface MigrationRow {
  version: number;
  name: string;
  checksum: string;
}

export function sqliteMigrationAdapter(db: Database.Database, location: string): MigrationAdapter {
  const applied = (): AppliedMigration[] => {
    const exists = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'opsdeck_migrations'`).get();
    if (!exists || exists.n === 0) return [];
    return db.prepare<[], MigrationRow>(`SELECT version, name, checksum FROM opsdeck_migrations ORDER BY version`).all();
  };
  const tx: MigrationTx = {
    async exec(sql) {
      db.exec(sql);
    },
    async applied() {
      return applied();
    },
    async record(m) {
      db.prepare(`INSERT INTO opsdeck_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`).run(
        m.version,
        m.name,
        m.checksum,
      );
    },
  };
  return {
    dialect: 'sqlite',
    location,
    async ensureTable() {
      db.exec(`CREATE TABLE IF NOT EXISTS opsdeck_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    },
    async applied() {
      return applied();
    },
    async transaction(fn) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(tx);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
  };
}
