import type { Connection } from './db.ts';

/** The pending jobs of one queue, service and priority: due ones first, in dispatch order. */
export interface Lane {
  queue: string;
  service_name: string;
  priority: number;
  /** Of its pending jobs, the earliest run_at: the first in the lane's index order. */
  earliest_run_at: string;
}

/**
 * The lanes that hold pending jobs, found by skipping through their index (migration 0016), a seek or
 * three each, never by reading the jobs in them.
 */
export class LaneList {
  readonly #s: ReturnType<typeof prepare>;

  constructor(db: Connection) {
    this.#s = prepare(db);
  }

  /** The statements, for plan checks. */
  get statements(): ReturnType<typeof prepare> {
    return this.#s;
  }

  all(): Lane[] {
    return this.upTo(Infinity) ?? [];
  }

  /** The lanes (of one queue, when given), or null once there are more than `most`. */
  upTo(most: number, queue?: string): Lane[] | null {
    const lanes: Lane[] = [];
    let lane = queue === undefined ? this.#s.firstLane.get() : this.#s.firstLaneOf.get(queue);
    while (lane) {
      if (lanes.length >= most) return null;
      lanes.push(lane);
      lane = this.#next(lane) ?? (queue === undefined ? this.#s.nextQueue.get(lane.queue) : undefined);
    }
    return lanes;
  }

  /** The next lane of the same queue. */
  #next(before: Lane): Lane | undefined {
    const { queue, service_name: service, priority } = before;
    return this.#s.nextPriority.get(queue, service, priority) ?? this.#s.nextServiceInQueue.get(queue, service);
  }
}

function prepare(db: Connection) {
  return {
    firstLane: db.prepare<[], Lane>(
      `SELECT queue, service_name, priority, run_at AS earliest_run_at FROM tb_job_run INDEXED BY idx_tb_job_run_claim_group
       WHERE status = 'pending'
       ORDER BY queue, service_name, priority DESC, run_at
       LIMIT 1`,
    ),
    firstLaneOf: db.prepare<[string], Lane>(
      `SELECT queue, service_name, priority, run_at AS earliest_run_at FROM tb_job_run INDEXED BY idx_tb_job_run_claim_group
       WHERE status = 'pending' AND queue = ?
       ORDER BY service_name, priority DESC, run_at
       LIMIT 1`,
    ),
    /**
     * The lane after (queue, service_name, priority), by three seeks at most: the next priority of the same
     * queue and service, else the next service of the queue, else the next queue. SQLite seeks a row value
     * such as `(queue, service_name) > (?, ?)` by its first column alone and would step through the lanes
     * before.
     */
    nextPriority: db.prepare<[string, string, number], Lane>(
      `SELECT queue, service_name, priority, run_at AS earliest_run_at FROM tb_job_run INDEXED BY idx_tb_job_run_claim_group
       WHERE status = 'pending' AND queue = ? AND service_name = ? AND priority < ?
       ORDER BY priority DESC, run_at
       LIMIT 1`,
    ),
    nextServiceInQueue: db.prepare<[string, string], Lane>(
      `SELECT queue, service_name, priority, run_at AS earliest_run_at FROM tb_job_run INDEXED BY idx_tb_job_run_claim_group
       WHERE status = 'pending' AND queue = ? AND service_name > ?
       ORDER BY service_name, priority DESC, run_at
       LIMIT 1`,
    ),
    nextQueue: db.prepare<[string], Lane>(
      `SELECT queue, service_name, priority, run_at AS earliest_run_at FROM tb_job_run INDEXED BY idx_tb_job_run_claim_group
       WHERE status = 'pending' AND queue > ?
       ORDER BY queue, service_name, priority DESC, run_at
       LIMIT 1`,
    ),
  };
}
