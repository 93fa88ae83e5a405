import { minuteFloor, readSplit } from '../rollupHours.ts';
import type { ServiceRollups } from '../store.ts';
import type { SqliteDb } from './db.ts';

type Outcome = ServiceRollups['outcomes'][number];
type Latency = ServiceRollups['latency'][number];
type Split = { since: number; hoursFrom: number; hoursTo: number };

/**
 * Three ranges as the hours per type are read (rollupHours.ts): the minutes up to the window's first whole
 * hour, the hours summed per service up to the mark (0035), the minutes after it, each narrowed to one
 * service or not (`%SERVICE%`); an OR of the ranges would read the whole minute table.
 */
const OUTCOMES = `SELECT execution_type, service_name, sum(completed) AS completed, sum(failed) AS failed, sum(retried) AS retried FROM (
    SELECT execution_type, service_name, completed, failed, retried FROM tb_job_rollup WHERE %SERVICE% AND minute >= @since AND minute < @hoursFrom
    UNION ALL
    SELECT execution_type, service_name, completed, failed, retried FROM tb_job_rollup_service_hour WHERE %SERVICE% AND hour >= @hoursFrom AND hour < @hoursTo
    UNION ALL
    SELECT execution_type, service_name, completed, failed, retried FROM tb_job_rollup WHERE %SERVICE% AND minute >= @hoursTo
  ) GROUP BY execution_type, service_name HAVING sum(completed) + sum(failed) + sum(retried) > 0`;
const LATENCY = `SELECT execution_type, service_name, bucket, sum(n) AS n FROM (
    SELECT execution_type, service_name, bucket, n FROM tb_job_latency WHERE %SERVICE% AND minute >= @since AND minute < @hoursFrom
    UNION ALL
    SELECT execution_type, service_name, bucket, n FROM tb_job_latency_service_hour WHERE %SERVICE% AND hour >= @hoursFrom AND hour < @hoursTo
    UNION ALL
    SELECT execution_type, service_name, bucket, n FROM tb_job_latency WHERE %SERVICE% AND minute >= @hoursTo
  ) GROUP BY execution_type, service_name, bucket`;
// One service's minutes through its index (0031) and its hours through the key; every service's minutes
// through the minute, the key's first column, and hours through the index by hour.
const ONE = (sql: string) => sql.replaceAll('%SERVICE%', 'service_name = @service');
const EVERY = (sql: string) => sql.replaceAll('%SERVICE%', '1');

/**
 * The rollups per type and service since a minute (unix seconds), for figures per service: the summed
 * hours per service and the minutes on either side, of one service when it is named.
 */
export class SqliteServiceRollups {
  readonly #db: SqliteDb;
  readonly #s;

  constructor(db: SqliteDb) {
    this.#db = db;
    const c = db.connection;
    this.#s = {
      mark: c.prepare<[], { through: number }>(`SELECT through FROM tb_rollup_hour_mark WHERE id = 1`),
      oneOutcomes: c.prepare<[Split & { service: string }], Outcome>(ONE(OUTCOMES)),
      oneLatency: c.prepare<[Split & { service: string }], Latency>(ONE(LATENCY)),
      everyOutcomes: c.prepare<[Split], Outcome>(EVERY(OUTCOMES)),
      everyLatency: c.prepare<[Split], Latency>(EVERY(LATENCY)),
    };
  }

  rollupsByService(since: Date, service: string | null): ServiceRollups {
    // One read transaction, so the mark and both sums agree, and a settle committed between the two sums
    // counts in both or neither.
    return this.#db.connection.transaction(() => {
      const marked = this.#s.mark.get()?.through;
      const split = readSplit(minuteFloor(since.getTime()), marked === undefined ? null : marked * 1000);
      const params = { since: split.since / 1000, hoursFrom: split.hoursFrom / 1000, hoursTo: split.hoursTo / 1000 };
      return service === null
        ? { outcomes: this.#s.everyOutcomes.all(params), latency: this.#s.everyLatency.all(params) }
        : { outcomes: this.#s.oneOutcomes.all({ ...params, service }), latency: this.#s.oneLatency.all({ ...params, service }) };
    })();
  }
}
