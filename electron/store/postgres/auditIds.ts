import { AUDITED_JOB_IDS } from '../auditDetails.ts';

/**
 * `first_ids`: the first AUDITED_JOB_IDS ids of a statement's `changed` rows (each with its `id`) in order,
 * as jsonb, for the audit row and a statement's answer to read alike, computed once.
 */
export const FIRST_JOB_IDS_CTE = `first_ids AS MATERIALIZED (
    SELECT coalesce(jsonb_agg(t.id ORDER BY t.id), '[]'::jsonb) AS ids FROM (SELECT id FROM changed ORDER BY id LIMIT ${AUDITED_JOB_IDS}) t
  )`;

/**
 * The jsonb touchedJobIds makes on SQLite, from `first_ids` (FIRST_JOB_IDS_CTE) and `job_ids_more` when there
 * were more. For the SELECT that writes the audit row from `changed`, beside its count(*).
 */
export const TOUCHED_JOB_IDS_SQL = `jsonb_build_object('job_ids', (SELECT ids FROM first_ids))
  || CASE WHEN count(*) > ${AUDITED_JOB_IDS} THEN jsonb_build_object('job_ids_more', count(*) - ${AUDITED_JOB_IDS}) ELSE '{}'::jsonb END`;
