import { HOUR_MS, hoursStep, readSplit } from '../rollupHours.ts';
import type { HoursSummed, TypeRollups } from '../store.ts';
import type { SqliteDb } from './db.ts';

type Span = { from: number; to: number };
type Split = { since: number; hoursFrom: number; hoursTo: number };
type Outcome = TypeRollups['outcomes'][number];
type Latency = TypeRollups['latency'][number];

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * The rollups' whole hours per execution type (migration 0021): summed by the workers' upkeep, read by
 * `rollupsByType` with the minutes on either side. Minutes and hours are unix seconds at their start.
 */
export class SqliteRollupHours {
  readonly #db: SqliteDb;
  readonly #s;

  constructor(db: SqliteDb) {
    this.#db = db;
    const c = db.connection;
    this.#s = {
      mark: c.prepare<[], { through: number }>(`SELECT through FROM tb_rollup_hour_mark WHERE id = 1`),
      setMark: c.prepare<[number]>(`INSERT INTO tb_rollup_hour_mark (id, through) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET through = excluded.through`),
      oldestMinute: c.prepare<[], { minute: number | null }>(`SELECT min(minute) AS minute FROM tb_job_rollup`),
      clearOutcomes: c.prepare<[Span]>(`DELETE FROM tb_job_rollup_hour WHERE hour >= @from AND hour < @to`),
      clearLatency: c.prepare<[Span]>(`DELETE FROM tb_job_latency_hour WHERE hour >= @from AND hour < @to`),
      sumOutcomes: c.prepare<[Span]>(
        `INSERT INTO tb_job_rollup_hour (hour, execution_type, completed, failed, retried)
         SELECT minute / 3600 * 3600, execution_type, sum(completed), sum(failed), sum(retried)
         FROM tb_job_rollup WHERE minute >= @from AND minute < @to GROUP BY 1, 2
         HAVING sum(completed) + sum(failed) + sum(retried) > 0`,
      ),
      sumLatency: c.prepare<[Span]>(
        `INSERT INTO tb_job_latency_hour (hour, execution_type, bucket, n)
         SELECT minute / 3600 * 3600, execution_type, bucket, sum(n)
         FROM tb_job_latency WHERE minute >= @from AND minute < @to GROUP BY 1, 2, 3`,
      ),
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
      latency: c.prepare<[Split], Latency>(
        `SELECT execution_type, bucket, sum(n) AS n FROM (
           SELECT execution_type, bucket, n FROM tb_job_latency WHERE minute >= @since AND minute < @hoursFrom
           UNION ALL
           SELECT execution_type, bucket, n FROM tb_job_latency_hour WHERE hour >= @hoursFrom AND hour < @hoursTo
           UNION ALL
           SELECT execution_type, bucket, n FROM tb_job_latency WHERE minute >= @hoursTo
         ) GROUP BY execution_type, bucket`,
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
        this.#s.clearOutcomes.run(span);
        this.#s.clearLatency.run(span);
        this.#s.sumOutcomes.run(span);
        this.#s.sumLatency.run(span);
      }
      if (step.mark !== mark) this.#s.setMark.run(seconds(step.mark));
      return { hours: (step.to - step.from) / HOUR_MS, done: step.done };
    });
  }

  rollupsByType(since: Date): TypeRollups {
    // One read transaction: the mark and both sums agree, and a settle another process commits between the
    // two sums cannot count its job in one and not the other.
    return this.#db.connection.transaction(() => {
      const marked = this.#s.mark.get()?.through;
      const split = readSplit(Math.floor(since.getTime() / 60_000) * 60_000, marked === undefined ? null : marked * 1000);
      const params = { since: seconds(split.since), hoursFrom: seconds(split.hoursFrom), hoursTo: seconds(split.hoursTo) };
      return { outcomes: this.#s.outcomes.all(params), latency: this.#s.latency.all(params) };
    })();
  }
}
