import { HOUR_MS, hoursStep, minuteFloor, readSplit } from '../rollupHours.ts';
import type { HoursSummed, TypeRollups } from '../store.ts';
import type { SqliteDb } from './db.ts';
import { prepareHourSums } from './hourSums.ts';
type Split = { since: number; hoursFrom: number; hoursTo: number };
type Outcome = TypeRollups['outcomes'][number];
type Latency = TypeRollups['latency'][number];

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * The rollups' whole hours per execution type (migration 0021), per service and type and the failures'
 * per group (0035): summed
 * by the workers' upkeep in one step, read by `rollupsByType` (and `SqliteServiceRollups`) with the
 * minutes on either side. Minutes and hours are unix seconds at their start.
 */
export class SqliteRollupHours {
  readonly #db: SqliteDb;
  readonly #s;
  readonly #sums;

  constructor(db: SqliteDb) {
    this.#db = db;
    const c = db.connection;
    this.#sums = prepareHourSums(c);
    this.#s = {
      mark: c.prepare<[], { through: number }>(`SELECT through FROM tb_rollup_hour_mark WHERE id = 1`),
      setMark: c.prepare<[number]>(`INSERT INTO tb_rollup_hour_mark (id, through) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET through = excluded.through`),
      oldestMinute: c.prepare<[], { minute: number | null }>(`SELECT min(minute) AS minute FROM tb_job_rollup`),
      // Three ranges, each a seek of its table's key: an OR of them would read the whole minute table.
      outcomes: c.prepare<[Split], Outcome>(
        `SELECT execution_type, sum(completed) AS completed, sum(failed) AS failed, sum(retried) AS retried FROM (
           SELECT execution_type, completed, failed, retried FROM tb_job_rollup WHERE minute >= @since AND minute < @hoursFrom
           UNION ALL
           SELECT execution_type, completed, failed, retried FROM tb_job_rollup_hour WHERE hour >= @hoursFrom AND hour < @hoursTo
           UNION ALL
           SELECT execution_type, completed, failed, retried FROM tb_job_rollup WHERE minute >= @hoursTo
         ) GROUP BY execution_type HAVING sum(completed) + sum(failed) + sum(retried) > 0 ORDER BY execution_type`,
      ),
      // Each range summed on its own, the hours in the order of their bucket index (0035), so no range's
      // rows are sorted; then the few sums per type and bucket are added up.
      latency: c.prepare<[Split], Latency>(
        `SELECT execution_type, bucket, sum(n) AS n FROM (
           SELECT execution_type, bucket, sum(n) AS n FROM tb_job_latency WHERE minute >= @since AND minute < @hoursFrom GROUP BY 1, 2
           UNION ALL
           SELECT execution_type, bucket, sum(n) FROM tb_job_latency_hour INDEXED BY idx_tb_job_latency_hour_bucket
           WHERE hour >= @hoursFrom AND hour < @hoursTo GROUP BY 1, 2
           UNION ALL
           SELECT execution_type, bucket, sum(n) FROM tb_job_latency WHERE minute >= @hoursTo GROUP BY 1, 2
         ) GROUP BY execution_type, bucket`,
      ),
      // The Overview's day chart: completed and failed per clock hour up to the end minute, all types.
      hourly: c.prepare<[Split & { end: number }], { bucket: number; completed: number; failed: number }>(
        `SELECT bucket, sum(completed) AS completed, sum(failed) AS failed FROM (
           SELECT minute / 3600 * 3600 AS bucket, completed, failed FROM tb_job_rollup WHERE minute >= @since AND minute < @hoursFrom AND minute <= @end
           UNION ALL
           SELECT hour, completed, failed FROM tb_job_rollup_hour WHERE hour >= @hoursFrom AND hour < @hoursTo
           UNION ALL
           SELECT minute / 3600 * 3600, completed, failed FROM tb_job_rollup WHERE minute >= @hoursTo AND minute <= @end
         ) GROUP BY bucket`,
      ),
    };
  }

  /** One step of summing whole hours before `through` (rollupHours.ts), in one write transaction. */
  sum(through: Date, maxHours: number): HoursSummed {
    return this.#db.write(() => {
      const marked = this.#s.mark.get()?.through;
      const mark = marked === undefined ? null : marked * 1000;
      const oldest = this.#s.oldestMinute.get()?.minute ?? null;
      const step = hoursStep({ through: through.getTime(), mark, oldestMinute: oldest === null ? null : oldest * 1000, maxHours });
      const span = { from: seconds(step.from), to: seconds(step.to) };
      if (span.from < span.to) {
        this.#sums.counts(span);
        this.#sums.failures(span);
      }
      if (step.mark !== mark) this.#s.setMark.run(seconds(step.mark));
      return { hours: (step.to - step.from) / HOUR_MS, done: step.done };
    });
  }

  /** The mark and how a read from `since` splits around it: unix seconds. */
  #split(since: Date): Split {
    const marked = this.#s.mark.get()?.through;
    const split = readSplit(minuteFloor(since.getTime()), marked === undefined ? null : marked * 1000);
    return { since: seconds(split.since), hoursFrom: seconds(split.hoursFrom), hoursTo: seconds(split.hoursTo) };
  }

  /**
   * Completed and failed jobs per clock hour from the minute holding `since` to the one holding `end`, the
   * summed hours read as such (a day's chart: 24 rows a type instead of a row per minute, queue and service).
   */
  hourlyThroughput(since: Date, end: Date): Array<{ bucket: number; completed: number; failed: number }> {
    return this.#db.connection.transaction(() => this.#s.hourly.all({ ...this.#split(since), end: Math.floor(end.getTime() / 60_000) * 60 }))();
  }

  /** The duration buckets per type since the minute holding `since`, the summed hours read as such. */
  latencySince(since: Date): Latency[] {
    return this.#db.connection.transaction(() => this.#s.latency.all(this.#split(since)))();
  }

  rollupsByType(since: Date): TypeRollups {
    // One read transaction: the mark and both sums agree, and a settle another process commits between the
    // two sums cannot count its job in one and not the other.
    return this.#db.connection.transaction(() => {
      const params = this.#split(since);
      return { outcomes: this.#s.outcomes.all(params), latency: this.#s.latency.all(params) };
    })();
  }
}
