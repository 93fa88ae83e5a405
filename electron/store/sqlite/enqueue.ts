import type BetterSqlite3 from 'better-sqlite3';
import { checkNewJob, generatedIdentifier, sameGroup } from '../newJobs.ts';
import { isoTime } from './filters.ts';
import type { EnqueueResult, NewJob } from '../store.ts';

/**
 * Bulk enqueue on SQLite. Jobs that differ only in identifier, payload and run_at (a CLI or API batch
 * for one service is all of them) go in as one INSERT over json_each: one statement per batch instead of
 * one per job, which is most of what an insert costs here. A job without an identifier gets the group's
 * generated prefix and its place in the group, computed inside the statement. So does its id: the next
 * free one plus its place, so ids follow the batch's order whatever order the rows go in, and no sort of
 * the rows is needed to keep them in order (ORDER BY had been a sixth of the statement's work).
 */

type Db = BetterSqlite3.Database;

interface Group {
  /** The group's first job: queue, service, type, priority and attempts are the same for all of them. */
  first: NewJob;
  prefix: string;
  /** Each job's identifier as given (null for a generated one) and run_at (null for now), in batch order. */
  identifiers: Array<string | null>;
  runAts: Array<string | null>;
  payloads: unknown[];
  /**
   * No job of the group names an identifier or a run_at, and every payload is an object or an array:
   * the common bulk, sent as one JSON array of the payloads themselves, whose elements json_each hands
   * back as JSON text. (A string or number element would come back as an SQL value, not as JSON.)
   */
  bare: boolean;
}

export type EnqueueStatements = ReturnType<typeof prepareEnqueue>;

// WHERE true: without it SQLite would read ON CONFLICT as a join constraint of the SELECT.
const INSERT_INTO = `INSERT INTO tb_job_run (id, identifier, queue, service_name, execution_type, payload, priority, max_attempts, run_at, created_at, updated_at)`;

export function prepareEnqueue(db: Db) {
  return {
    // One more than the largest id present or ever purged (tb_job_id_floor), read under the write lock.
    nextId: db.prepare<[], { next: number }>(
      `SELECT max(coalesce((SELECT max(id) FROM tb_job_run), 0), (SELECT last_id FROM tb_job_id_floor)) + 1 AS next`,
    ),
    insertGroup: db.prepare<[Record<string, string | number>]>(
      `${INSERT_INTO}
       SELECT @first + j.key, coalesce(j.value ->> 0, @prefix || j.key), @queue, @service, @type, j.value ->> 1, @priority, @max_attempts,
              coalesce(j.value ->> 2, @now), @now, @now
       FROM json_each(@rows) AS j WHERE true
       ON CONFLICT (identifier) DO NOTHING`,
    ),
    // @rows is the JSON array of the payloads: one JSON.stringify for the batch, nothing escaped twice.
    insertBareGroup: db.prepare<[Record<string, string | number>]>(
      `${INSERT_INTO}
       SELECT @first + j.key, @prefix || j.key, @queue, @service, @type, j.value, @priority, @max_attempts, @now, @now, @now
       FROM json_each(@rows) AS j WHERE true
       ON CONFLICT (identifier) DO NOTHING`,
    ),
    idByIdentifier: db.prepare<[string], { id: number }>(`SELECT id FROM tb_job_run WHERE identifier = ?`),
  };
}

/** Consecutive runs of jobs alike in everything a group shares, so rows keep the batch's order. */
function groupsOf(jobs: NewJob[]): Group[] {
  const groups: Group[] = [];
  let current: Group | undefined;
  jobs.forEach((job, index) => {
    checkNewJob(job, index);
    if (!current || !sameGroup(current.first, job)) {
      current = { first: job, prefix: `${generatedIdentifier(job.service_name)}-`, identifiers: [], runAts: [], payloads: [], bare: true };
      groups.push(current);
    }
    const runAt = job.run_at === undefined ? null : isoTime(job.run_at, `job ${index + 1} of the batch: run_at`);
    const identifier = job.identifier ?? null;
    const payload = job.payload ?? null;
    if (identifier !== null || runAt !== null || typeof payload !== 'object' || payload === null) current.bare = false;
    current.identifiers.push(identifier);
    current.runAts.push(runAt);
    current.payloads.push(payload);
  });
  return groups;
}

/** A group that is not bare: one [identifier, payload text, run_at] per job. */
function rowsOf(group: Group): string {
  return JSON.stringify(group.payloads.map((payload, place) => [group.identifiers[place], JSON.stringify(payload), group.runAts[place]]));
}

/**
 * Inserts the batch inside the caller's transaction and answers one result per job, in order. The first
 * job with an identifier creates it; a later one in the batch, or one already stored, gets the existing id.
 */
export function enqueueBatch(s: EnqueueStatements, jobs: NewJob[], now: string): EnqueueResult[] {
  const results: EnqueueResult[] = [];
  const taken = new Map<string, number>();
  for (const group of groupsOf(jobs)) {
    const { first } = group;
    // The write lock is ours (the caller's transaction is IMMEDIATE): nobody takes these ids meanwhile.
    const firstCreated = s.nextId.get()?.next ?? 1;
    const params = { first: firstCreated, prefix: group.prefix, queue: first.queue, service: first.service_name, type: first.execution_type, priority: first.priority ?? 0, max_attempts: first.max_attempts, now };
    const { changes } = group.bare
      ? s.insertBareGroup.run({ ...params, rows: JSON.stringify(group.payloads) })
      : s.insertGroup.run({ ...params, rows: rowsOf(group) });
    const identifierAt = (place: number, given: string | null) => given ?? `${group.prefix}${place}`;
    const { identifiers } = group;
    if (changes === identifiers.length) {
      // Every row went in, so none repeated another. A later group that repeats one of these identifiers
      // finds it stored, below its own first id.
      identifiers.forEach((given, place) => results.push({ id: firstCreated + place, identifier: identifierAt(place, given), created: true }));
      continue;
    }
    identifiers.forEach((given, place) => {
      const identifier = identifierAt(place, given);
      const earlier = taken.get(identifier);
      if (earlier !== undefined) {
        results.push({ id: earlier, identifier, created: false });
        return;
      }
      const id = s.idByIdentifier.get(identifier)?.id;
      if (id === undefined) throw new Error(`enqueue: identifier "${identifier}" conflicts but no job holds it`);
      taken.set(identifier, id);
      results.push({ id, identifier, created: changes > 0 && id >= firstCreated });
    });
  }
  return results;
}
