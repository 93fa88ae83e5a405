import { z } from 'zod';
import type { AppliedMigration } from '../migrate.ts';
import type { Row } from './db.ts';

const AppliedRow = z.object({ version: z.number(), name: z.string(), checksum: z.string() });

/** The migrations jobs.opsdeck_migrations records, or [] when that table does not exist (without creating it). */
export async function appliedOn(read: (sql: string) => Promise<Row[]>): Promise<AppliedMigration[]> {
  const exists = await read(`SELECT to_regclass('jobs.opsdeck_migrations') IS NOT NULL AS ok`);
  if (exists[0]?.ok !== true) return [];
  const rows = await read('SELECT version, name, checksum FROM jobs.opsdeck_migrations ORDER BY version');
  return rows.map((row) => AppliedRow.parse(row));
}
