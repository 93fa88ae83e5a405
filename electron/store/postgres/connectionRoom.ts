import { z } from 'zod';
import type { ConnectionRoom } from '../store.ts';
import type { PgDb } from './db.ts';

/**
 * The three limits the server puts on a new connection, each with the client connections counted against
 * it, as it counts them: max_connections (a role that is no superuser may not take the slots kept for
 * superusers, nor, from PostgreSQL 16, those kept for pg_use_reserved_connections, counted out whether or
 * not the role may use them), and the database's and the role's CONNECTION LIMIT (-1: none; a superuser is held to neither).
 */
const ROOM_SQL = `
SELECT
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS server_in_use,
  (current_setting('max_connections')::int - CASE WHEN r.rolsuper THEN 0
     ELSE current_setting('superuser_reserved_connections')::int + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0) END) AS server_max,
  current_database() AS database,
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname = current_database())::int AS database_in_use,
  CASE WHEN r.rolsuper THEN -1 ELSE (SELECT datconnlimit FROM pg_database WHERE datname = current_database()) END AS database_max,
  r.rolname AS role,
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usesysid = r.oid)::int AS role_in_use,
  CASE WHEN r.rolsuper THEN -1 ELSE r.rolconnlimit END AS role_max
FROM pg_roles r WHERE r.rolname = current_user`;

const RoomRow = z.object({
  server_in_use: z.number(),
  server_max: z.number(),
  database: z.string(),
  database_in_use: z.number(),
  database_max: z.number(),
  role: z.string(),
  role_in_use: z.number(),
  role_max: z.number(),
});

/** The limit with the least room left; a tie goes to the narrower one, which an operator can raise. */
export async function connectionRoom(db: PgDb): Promise<ConnectionRoom> {
  const row = RoomRow.parse((await db.read(ROOM_SQL))[0]);
  const limits: ConnectionRoom[] = [{ limit: 'server', name: null, in_use: row.server_in_use, max: row.server_max }];
  if (row.database_max >= 0) limits.push({ limit: 'database', name: row.database, in_use: row.database_in_use, max: row.database_max });
  if (row.role_max >= 0) limits.push({ limit: 'role', name: row.role, in_use: row.role_in_use, max: row.role_max });
  return limits.reduce((tightest, l) => (l.max - l.in_use <= tightest.max - tightest.in_use ? l : tightest));
}
