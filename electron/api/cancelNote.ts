import type { CancelRequest } from '../../shared/domain.ts';
import { spanText } from '../../shared/timesInText.ts';

/**
 * What a cancel answers for a running job already asked to stop: when, by whom and why it was asked, and
 * that this cancel changed nothing ("job N is running: its worker stops it now" would read as this
 * operator's doing, and the audit log holds the first request only).
 */
export function alreadyRequestedNote(request: CancelRequest | null, now: Date): string {
  if (request === null) return 'cancel already requested; nothing changed';
  const via = request.workflow_run === null ? '' : `, cancelling workflow run ${request.workflow_run}`;
  const why = request.reason === null ? '' : ` (${request.reason})`;
  return `cancel already requested at ${request.at} (${spanText(now.getTime() - Date.parse(request.at))} ago) by ${request.by}${via}${why}; nothing changed`;
}
