import type { DlqSelector, JsonObject } from '../../shared/domain.ts';

/**
 * What a bulk action's audit row says it was aimed at, the same on every dialect. A long id list is
 * written as its length: the row records the operator's intent, the job count records what it touched.
 */
export function selectorDetails(selector: DlqSelector): JsonObject {
  const details: JsonObject = {};
  if (selector.job_ids !== undefined) details.job_ids = selector.job_ids.length > 50 ? `${selector.job_ids.length} ids` : selector.job_ids;
  if (selector.fingerprint !== undefined) details.fingerprint = selector.fingerprint;
  if (selector.service !== undefined) details.service = selector.service;
  if (selector.search !== undefined) details.search = selector.search;
  if (selector.error_class !== undefined) details.error_class = selector.error_class;
  if (selector.all === true) details.all = true;
  return details;
}

/** How many of the jobs a bulk action touched its audit row names: enough to follow up, not a log a purge can flood. */
export const AUDITED_JOB_IDS = 100;

/** The first AUDITED_JOB_IDS ids a bulk action touched, in order, and how many more there were. */
export interface FirstJobIds {
  job_ids: number[];
  job_ids_more: number;
}

/** The first AUDITED_JOB_IDS of `ids` in order, and how many more there were: what a dead-letter retry answers, as its audit row names them. */
export function firstJobIds(ids: readonly number[]): FirstJobIds {
  const sorted = [...ids].sort((a, b) => a - b);
  return { job_ids: sorted.slice(0, AUDITED_JOB_IDS), job_ids_more: Math.max(0, sorted.length - AUDITED_JOB_IDS) };
}

/**
 * Those ids as an audit row's details say them (`job_ids_more` only when there were more); PostgreSQL's
 * statements build the same in SQL (postgres/auditIds.ts).
 */
export function auditedJobIds(first: FirstJobIds): JsonObject {
  return { job_ids: first.job_ids, ...(first.job_ids_more > 0 ? { job_ids_more: first.job_ids_more } : {}) };
}

/** The jobs a bulk action touched, for its audit row: auditedJobIds of their firstJobIds. */
export function touchedJobIds(ids: readonly number[]): JsonObject {
  return auditedJobIds(firstJobIds(ids));
}
