import { z } from 'zod';
import type { ServiceRollups } from '../store.ts';
import type { PgDb } from './db.ts';

const OutcomesRow = z.object({ execution_type: z.string(), service_name: z.string(), completed: z.number(), failed: z.number(), retried: z.number() });
const LatencyRow = z.object({ execution_type: z.string(), service_name: z.string(), bucket: z.number(), n: z.number() });

/** Both sums in one statement, so they read the same snapshot; `bucket` is null on the outcome rows. */
const statement = (where: string) =>
  `SELECT execution_type, service_name, NULL::int AS bucket, sum(completed) AS completed, sum(failed) AS failed, sum(retried) AS retried, NULL::bigint AS n
   FROM jobs.tb_job_rollup WHERE ${where} GROUP BY execution_type, service_name HAVING sum(completed) + sum(failed) + sum(retried) > 0
   UNION ALL
   SELECT execution_type, service_name, bucket, NULL, NULL, NULL, sum(n) FROM jobs.tb_job_latency WHERE ${where} GROUP BY execution_type, service_name, bucket`;

// One service's rows through its index (0045); every service's through the minute, the key's first column.
const ONE = statement('service_name = $2 AND minute >= $1');
const EVERY = statement('minute >= $1');

/**
 * The per-minute rollups per type and service since the minute holding `since`, every stripe of each, for
 * figures per service: the summed hours are per type only, so these read minutes, of one service when named.
 */
export async function rollupsByService(db: PgDb, since: Date, service: string | null): Promise<ServiceRollups> {
  const minute = new Date(Math.floor(since.getTime() / 60_000) * 60_000).toISOString();
  const rows = service === null ? await db.read(EVERY, [minute]) : await db.read(ONE, [minute, service]);
  const out: ServiceRollups = { outcomes: [], latency: [] };
  for (const row of rows) {
    if (row.bucket === null) out.outcomes.push(OutcomesRow.parse(row));
    else out.latency.push(LatencyRow.parse(row));
  }
  return out;
}
