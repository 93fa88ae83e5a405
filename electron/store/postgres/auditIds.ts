import { AUDITED_JOB_IDS } from '../auditDetails.ts';

/**
 * The jsonb touchedJobIds makes on SQLite, from a statement's `changed` rows (each with its `id`): the
 * first AUDITED_JOB_IDS ids in order, and `job_ids_more` when there were more. For the SELECT that writes
 * the audit row from `changed`, beside its count(*).
 */
export const TOUCHED_JOB_IDS_SQL = `jsonb_build_object('job_ids',
    coalesce((SELECT jsonb_agg(t.id ORDER BY t.id) FROM (SELECT id FROM changed ORDER BY id LIMIT ${AUDITED_JOB_IDS}) t), '[]'::jsonb))
  || CASE WHEN count(*) > ${AUDITED_JOB_IDS} THEN jsonb_build_object('job_ids_more', count(*) - ${AUDITED_JOB_IDS}) ELSE '{}'::jsonb END`;
