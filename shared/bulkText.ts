import { countText } from './countText.ts';
import type { BulkResult } from './views.ts';

/**
 * What a bulk dead-letter action did or, dry, would do, as `opsdeck dlq` prints it and a retry's answer says
 * it: `would retry 3 dead letters`, `resolved 1 dead letter`.
 */
export function bulkText(result: Pick<BulkResult, 'dry_run' | 'matched' | 'affected'>, verb: string, past: string): string {
  const n = result.dry_run ? result.matched : result.affected;
  return `${result.dry_run ? `would ${verb}` : past} ${countText(n)} dead letter${n === 1 ? '' : 's'}`;
}
