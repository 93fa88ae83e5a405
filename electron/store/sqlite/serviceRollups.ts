import { z } from 'zod';
import type { ServiceRollups } from '../store.ts';
import type { SqliteDb } from './db.ts';

const OUTCOMES = `SELECT execution_type, service_name, sum(completed) AS completed, sum(failed) AS failed, sum(retried) AS retried
  FROM tb_job_rollup WHERE %WHERE% GROUP BY execution_type, service_name HAVING sum(completed) + sum(failed) + sum(retried) > 0`;
const LATENCY = `SELECT execution_type, service_name, bucket, sum(n) AS n FROM tb_job_latency WHERE %WHERE% GROUP BY execution_type, service_name, bucket`;
// One service's rows through its index (0031); every service's through the minute, the key's first column.
const ONE = 'service_name = @service AND minute >= @since';
const EVERY = 'minute >= @since';

const Outcomes = z.array(z.object({ execution_type: z.string(), service_name: z.string(), completed: z.number(), failed: z.number(), retried: z.number() }));
const Latency = z.array(z.object({ execution_type: z.string(), service_name: z.string(), bucket: z.number(), n: z.number() }));

/**
 * The per-minute rollups per type and service since a minute (unix seconds), for figures per service:
 * the summed hours are per type only, so these read minutes, of one service when it is named. A day of
 * every service's minutes, or a month of one's, is 150 to 500 ms at a million jobs: on the read thread.
 */
export class SqliteServiceRollups {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  async rollupsByService(since: Date, service: string | null): Promise<ServiceRollups> {
    const minute = Math.floor(since.getTime() / 60_000) * 60;
    const where = service === null ? EVERY : ONE;
    const window: Record<string, string | number> = service === null ? { since: minute } : { since: minute, service };
    // One read transaction, so a settle committed between the two sums counts in both or neither.
    const [outcomes, latency] = await this.#db.aside([
      { sql: OUTCOMES.replace('%WHERE%', where), args: [window] },
      { sql: LATENCY.replace('%WHERE%', where), args: [window] },
    ]);
    return { outcomes: Outcomes.parse(outcomes), latency: Latency.parse(latency) };
  }
}
