import type { ServiceRollups } from '../store.ts';
import type { SqliteDb } from './db.ts';

type Outcome = ServiceRollups['outcomes'][number];
type Latency = ServiceRollups['latency'][number];
type Window = { since: number; service: string };

const OUTCOMES = `SELECT execution_type, service_name, sum(completed) AS completed, sum(failed) AS failed, sum(retried) AS retried
  FROM tb_job_rollup WHERE %WHERE% GROUP BY execution_type, service_name HAVING sum(completed) + sum(failed) + sum(retried) > 0`;
const LATENCY = `SELECT execution_type, service_name, bucket, sum(n) AS n FROM tb_job_latency WHERE %WHERE% GROUP BY execution_type, service_name, bucket`;
// One service's rows through its index (0031); every service's through the minute, the key's first column.
const ONE = 'service_name = @service AND minute >= @since';
const EVERY = 'minute >= @since';

/**
 * The per-minute rollups per type and service since a minute (unix seconds), for figures per service:
 * the summed hours are per type only, so these read minutes, of one service when it is named.
 */
export class SqliteServiceRollups {
  readonly #db: SqliteDb;
  readonly #s;

  constructor(db: SqliteDb) {
    this.#db = db;
    const c = db.connection;
    this.#s = {
      oneOutcomes: c.prepare<[Window], Outcome>(OUTCOMES.replace('%WHERE%', ONE)),
      oneLatency: c.prepare<[Window], Latency>(LATENCY.replace('%WHERE%', ONE)),
      everyOutcomes: c.prepare<[{ since: number }], Outcome>(OUTCOMES.replace('%WHERE%', EVERY)),
      everyLatency: c.prepare<[{ since: number }], Latency>(LATENCY.replace('%WHERE%', EVERY)),
    };
  }

  rollupsByService(since: Date, service: string | null): ServiceRollups {
    const minute = Math.floor(since.getTime() / 60_000) * 60;
    // One read transaction, so a settle committed between the two sums counts in both or neither.
    return this.#db.connection.transaction(() =>
      service === null
        ? { outcomes: this.#s.everyOutcomes.all({ since: minute }), latency: this.#s.everyLatency.all({ since: minute }) }
        : { outcomes: this.#s.oneOutcomes.all({ since: minute, service }), latency: this.#s.oneLatency.all({ since: minute, service }) },
    )();
  }
}
