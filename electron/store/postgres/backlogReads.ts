import { z } from 'zod';
import { LANES_READ_MOST } from '../store.ts';
import type { QueueOldest, QueueOldestOf } from '../store.ts';
import type { PgDb } from './db.ts';
import { countOf } from './rows.ts';

/**
 * The backlog's reads from the ready rows, priority level by level through their dispatch-order index,
 * never the job table: the oldest due job, store-wide, per queue and of some queues, and the jobs not
 * yet due, counted up to a limit, in all and per queue.
 */

/**
 * The priority levels of the ready rows, highest first, each found by one seek of their dispatch-order
 * index: the earliest run_at, or the jobs not yet due, are then found level by level without reading
 * the backlog between.
 */
const PRIORITY_LEVELS = `levels(priority) AS (
  SELECT max(priority) FROM jobs.tb_job_ready
  UNION ALL
  SELECT (SELECT max(r.priority) FROM jobs.tb_job_ready r WHERE r.priority < levels.priority)
  FROM levels WHERE levels.priority IS NOT NULL
)`;

export async function oldestPendingRunAt(db: PgDb): Promise<string | null> {
  const rows = await db.read(
    `WITH RECURSIVE ${PRIORITY_LEVELS}
     SELECT min((SELECT min(r.run_at) FROM jobs.tb_job_ready r WHERE r.priority = l.priority)) AS at
     FROM levels l WHERE l.priority IS NOT NULL`,
  );
  const at = rows[0]?.at;
  return typeof at === 'string' ? at : null;
}

/** The lane after `l` in the same queue: the next priority of its service, else the first of the next service. */
const NEXT_LANE_IN_QUEUE = `(SELECT r.queue, r.service_name, r.priority, r.run_at FROM jobs.tb_job_ready r
     WHERE r.queue = l.queue AND r.service_name = l.service_name AND r.priority < l.priority
     ORDER BY r.priority DESC, r.run_at LIMIT 1)
    UNION ALL
    (SELECT r.queue, r.service_name, r.priority, r.run_at FROM jobs.tb_job_ready r
     WHERE r.queue = l.queue AND r.service_name > l.service_name
     ORDER BY r.service_name, r.priority DESC, r.run_at LIMIT 1)`;

/**
 * The lanes of the ready rows (queue, service and priority) in the order of their index (migration 0027),
 * each found by a seek or two, numbered, read no further than lane $1 + 1; each comes with its earliest
 * run_at, the first row of the lane in that order: every queue's, or (LANES_OF_QUEUE) those of queue $2.
 */
const ALL_LANES = `lane AS (
  (SELECT r.queue, r.service_name, r.priority, r.run_at, 1 AS n FROM jobs.tb_job_ready r
   ORDER BY r.queue, r.service_name, r.priority DESC, r.run_at LIMIT 1)
  UNION ALL
  SELECT nx.queue, nx.service_name, nx.priority, nx.run_at, l.n + 1 FROM lane l CROSS JOIN LATERAL (
    ${NEXT_LANE_IN_QUEUE}
    UNION ALL
    (SELECT r.queue, r.service_name, r.priority, r.run_at FROM jobs.tb_job_ready r
     WHERE r.queue > l.queue
     ORDER BY r.queue, r.service_name, r.priority DESC, r.run_at LIMIT 1)
    LIMIT 1
  ) nx
  WHERE l.n <= $1
)`;
const LANES_OF_QUEUE = `lane AS (
  (SELECT r.queue, r.service_name, r.priority, r.run_at, 1 AS n FROM jobs.tb_job_ready r
   WHERE r.queue = $2
   ORDER BY r.service_name, r.priority DESC, r.run_at LIMIT 1)
  UNION ALL
  SELECT nx.queue, nx.service_name, nx.priority, nx.run_at, l.n + 1 FROM lane l CROSS JOIN LATERAL (
    ${NEXT_LANE_IN_QUEUE}
    LIMIT 1
  ) nx
  WHERE l.n <= $1
)`;

/** Each queue's earliest run_at, and how many lanes were read: past $1, too many to read. */
const OLDEST_OF_LANES = `SELECT queue, min(run_at) AS run_at, max(max(n)) OVER () AS lanes FROM lane GROUP BY queue ORDER BY queue COLLATE "C"`;
export const OLDEST_BY_QUEUE_SQL = `WITH RECURSIVE ${ALL_LANES} ${OLDEST_OF_LANES}`;
const OLDEST_OF_QUEUE_SQL = `WITH RECURSIVE ${LANES_OF_QUEUE} ${OLDEST_OF_LANES}`;

const QueueOldestRow = z.object({ queue: z.string(), run_at: z.string(), lanes: z.number().int() });

export async function oldestPendingByQueue(db: PgDb): Promise<QueueOldest[] | null> {
  const rows = (await db.read(OLDEST_BY_QUEUE_SQL, [LANES_READ_MOST])).map((row) => QueueOldestRow.parse(row));
  if (rows.some((row) => row.lanes > LANES_READ_MOST)) return null;
  return rows.map(({ queue, run_at }) => ({ queue, run_at }));
}

export async function oldestPendingOf(db: PgDb, queues: readonly string[]): Promise<QueueOldestOf[]> {
  let left = LANES_READ_MOST;
  const out: QueueOldestOf[] = [];
  for (const queue of new Set(queues)) {
    const row = left > 0 ? (await db.read(OLDEST_OF_QUEUE_SQL, [left, queue])).map((r) => QueueOldestRow.parse(r))[0] : undefined;
    if (left <= 0 || (row && row.lanes > left)) {
      left = 0;
      out.push({ queue, run_at: null, read: false });
      continue;
    }
    left -= row?.lanes ?? 0;
    out.push({ queue, run_at: row?.run_at ?? null, read: true });
  }
  return out;
}

export async function scheduledCount(db: PgDb, limit: number): Promise<number> {
  const cap = Math.max(0, Math.trunc(limit));
  const rows = await db.read(
    `WITH RECURSIVE ${PRIORITY_LEVELS}
     SELECT coalesce(sum((SELECT count(*) FROM (
       SELECT 1 FROM jobs.tb_job_ready r WHERE r.priority = l.priority AND r.run_at > now() LIMIT $1) s)), 0) AS n
     FROM levels l WHERE l.priority IS NOT NULL`,
    [cap],
  );
  return Math.min(cap, countOf(rows));
}

/**
 * scheduledCount's walk, each level's ready rows not yet due read with their queue, $1 rows in all: the
 * dispatch-order index holds no queue, so each is a row read, which the limit bounds.
 */
export const SCHEDULED_BY_QUEUE_SQL = `WITH RECURSIVE ${PRIORITY_LEVELS}
  SELECT queue, count(*) AS n FROM (
    SELECT s.queue FROM levels l
    CROSS JOIN LATERAL (SELECT r.queue FROM jobs.tb_job_ready r WHERE r.priority = l.priority AND r.run_at > now() LIMIT $1) s
    WHERE l.priority IS NOT NULL
    LIMIT $1) t
  GROUP BY queue`;

export async function scheduledByQueue(db: PgDb, limit: number): Promise<Record<string, number>> {
  const rows = await db.read(SCHEDULED_BY_QUEUE_SQL, [Math.max(0, Math.trunc(limit))]);
  return Object.fromEntries(rows.map((row) => [String(row.queue), Number(row.n)]));
}
