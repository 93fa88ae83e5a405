import type { WorkerView } from '../../../../shared/views.ts';
import { memoryIsLastKnown } from '../../../../shared/workerMemory.ts';
import { poolExhausted, poolText } from '../../../../shared/workerPool.ts';

/** What the workers table shows of a worker's store connection pool, marked as its memory is. */
export interface PoolCell {
  text: string;
  /** Not how it stands now: its last known, or nothing said. */
  dim: boolean;
  /** Callers queued behind busy connections waited 100 ms or more between its last two heartbeats. */
  exhausted: boolean;
  title: string;
}

const WHAT =
  'Its PostgreSQL connection pool between its last two heartbeats: the most connections in use at once of its size (OPSDECK_PG_POOL_MAX where it runs), and once callers had to wait for one, the most waiting at once and the longest wait';

export function poolCell(worker: Pick<WorkerView, 'pool' | 'state' | 'lost'>): PoolCell {
  const { pool } = worker;
  if (pool === null) {
    return { text: '-', dim: true, exhausted: false, title: 'Not reported: a worker of an older version, or one that has sent no heartbeat since it started' };
  }
  const text = poolText(pool);
  if (memoryIsLastKnown(worker)) {
    const when = worker.lost ? 'a lost worker reports nothing' : 'as it stopped';
    return { text: `${text} last known`, dim: true, exhausted: false, title: `Last known, ${when}: ${WHAT}` };
  }
  const exhausted = poolExhausted(pool);
  const advice = exhausted
    ? '. Exhausted: restart it with a larger OPSDECK_PG_POOL_MAX or a lower --concurrency, unless its statements wait on locks held elsewhere (a long transaction? pg_stat_activity shows them waiting on Lock), where a larger pool only holds more connections stuck behind them'
    : '';
  return { text, dim: false, exhausted, title: `${WHAT}${advice}` };
}
