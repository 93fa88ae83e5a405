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
  if (selector.all === true) details.all = true;
  return details;
}
