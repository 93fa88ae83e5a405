import { z } from 'zod';
import type { DlqSelector } from '../../../shared/domain.ts';
import { AUDITED_JOB_IDS } from '../auditDetails.ts';
import { heldByBreakers, lanesOf, type DlqRetryPreview } from '../failureStore.ts';
import { CONTROL_STATE_SQL, controlOfRow } from './control.ts';
import type { PgDb } from './db.ts';
import { dlqParams, dlqWhereSql } from './filters.ts';
import { Lane, ServiceJobs } from './retriedRows.ts';

const Figures = z.object({
  n: z.number().int(),
  queues: z.array(z.string()),
  services: z.array(ServiceJobs),
  open_ids: z.array(z.number().int()).nullable(),
  job_ids: z.array(z.number().int()),
  lanes: z.array(Lane),
});

/**
 * A dry run of dlqRetry: one statement, so one snapshot, counts what the retry's own statement would send
 * back (the same WHERE), per service beside the breakers and per queue, with the control plane and which
 * of the ids named are open dead letters at all, as the retry's answer and its handler say them.
 */
export async function dlqRetryPreview(db: PgDb, selector: DlqSelector): Promise<DlqRetryPreview> {
  const mine = dlqParams(selector);
  const named: DlqSelector = { job_ids: selector.job_ids ?? [] };
  const rows = await db.read(
    `WITH matched AS (
       SELECT service_name, queue, count(*) AS jobs FROM jobs.tb_job_run WHERE ${dlqWhereSql(0, selector)} GROUP BY service_name, queue
     )
     SELECT control.*,
       (SELECT coalesce(sum(jobs), 0)::bigint FROM matched) AS n,
       (SELECT coalesce(array_agg(DISTINCT queue ORDER BY queue), '{}') FROM matched) AS queues,
       (SELECT coalesce(json_agg(json_build_object('service_name', s.service_name, 'jobs', s.jobs, 'mode', b.mode, 'state', b.state)), '[]')
          FROM (SELECT service_name, sum(jobs)::bigint AS jobs FROM matched GROUP BY service_name) s
          JOIN jobs.tb_breaker b ON b.service_name = s.service_name) AS services,
       (SELECT coalesce(json_agg(json_build_object('service_name', m.service_name, 'queue', m.queue)), '[]') FROM matched m) AS lanes,
       (SELECT coalesce(json_agg(t.id ORDER BY t.id), '[]')
          FROM (SELECT id FROM jobs.tb_job_run WHERE ${dlqWhereSql(0, selector)} ORDER BY id LIMIT ${AUDITED_JOB_IDS}) t) AS job_ids,
       CASE WHEN $1::bigint[] IS NOT NULL THEN (
         SELECT coalesce(json_agg(id ORDER BY id), '[]') FROM jobs.tb_job_run WHERE ${dlqWhereSql(mine.length, named)}) END AS open_ids
     FROM (${CONTROL_STATE_SQL}) control`,
    [...mine, ...dlqParams(named)],
  );
  const row = rows[0];
  const figures = Figures.parse(row);
  return {
    matched: figures.n,
    held_by_breaker: heldByBreakers(new Map(figures.services.map((s) => [s.service_name, s.jobs])), figures.services),
    queues: figures.queues,
    control: controlOfRow(row),
    open_ids: figures.open_ids,
    job_ids: figures.job_ids,
    job_ids_more: figures.n - figures.job_ids.length,
    lanes: lanesOf(figures.lanes),
  };
}
