import type { DlqSelector } from './domain.ts';

/**
 * Why a bulk action (retry, resolve) may not take this selector, or null when it may. A selector that
 * names nothing (no ids, fingerprint, service or class, an empty search: what an unset shell variable or a
 * dropped JSON field leaves) would act on every open dead letter, so that must be asked for with
 * `all: true`, and `all` goes with nothing else.
 */
export function bulkSelectorProblem(selector: DlqSelector, verb: string): string | null {
  const narrowed =
    selector.job_ids !== undefined || selector.fingerprint !== undefined || selector.service !== undefined || selector.error_class !== undefined || (selector.search ?? '') !== '';
  if (selector.all === true && narrowed) return 'all: true selects every open dead letter; leave out the ids, fingerprint, service, error_class and search, or drop all';
  if (selector.all !== true && !narrowed) return `say which dead letters to ${verb}: job_ids, fingerprint, service, error_class or a search that is not empty, or all: true for every one`;
  return null;
}
