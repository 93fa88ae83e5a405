import { heldBySentences } from '../../../../shared/heldText.ts';
import type { BulkResult } from '../../../../shared/contract.ts';
import type { DlqSelector } from '../../../../shared/domain.ts';
import type { NoticeLink } from '../../lib/notices.ts';
import { routeHref } from '../../lib/router.ts';
import { CONSOLE_RESET } from '../../../../shared/breakerRecord.ts';

export type BulkAction =
  /**
   * `services`: the services of the jobs it selects, when known (a group has exactly one). `sample`: the
   * error of the group it acts on, as stored, so the dialog names the group: many groups show one count.
   */
  | { kind: 'retry'; selector: DlqSelector; scope: string; services?: string[]; sample?: string }
  | { kind: 'resolve'; selector: DlqSelector; scope: string; services?: string[]; sample?: string }
  | { kind: 'purge'; before: string; scope: string };

export type BulkKind = BulkAction['kind'];

const VERB = { retry: 'retry', resolve: 'resolve', purge: 'permanently delete' } as const;
const CONFIRM = { retry: 'Retry', resolve: 'Resolve', purge: 'Purge' } as const;
const DONE = { retry: 'Retried', resolve: 'Resolved', purge: 'Purged' } as const;

export function jobCount(n: number): string {
  return `${n.toLocaleString('en-US')} job${n === 1 ? '' : 's'}`;
}

/** `1 selected job`, `3 selected jobs`: the scope of an action on the jobs ticked in a group. */
export function selectedScope(n: number): string {
  return `${n.toLocaleString('en-US')} selected job${n === 1 ? '' : 's'}`;
}

export function bulkTitle(action: BulkAction): string {
  const verb = VERB[action.kind];
  return `${verb.charAt(0).toUpperCase()}${verb.slice(1)} ${action.scope}`;
}

/** What the dry run found, said before anything changes. */
export function previewText(kind: BulkKind, preview: BulkResult): string {
  return preview.matched === 0 ? `Nothing to ${VERB[kind]}: no job matches now.` : `This will ${VERB[kind]} ${jobCount(preview.matched)}.${heldText(preview)}`;
}

export function confirmLabel(kind: BulkKind, preview: BulkResult | null, running: boolean): string {
  if (running) return 'Working…';
  return preview ? `${CONFIRM[kind]} ${jobCount(preview.matched)}` : 'Confirm';
}

/**
 * The one report of a finished action, for the notice. The store does what it matches at that moment, so
 * a difference from the preview the operator confirmed is explained: others changed jobs meanwhile.
 */
export function resultText(kind: BulkKind, result: BulkResult, previewed: number): string {
  const changed =
    result.affected === previewed ? '' : ` (the preview showed ${jobCount(previewed)}; ${result.affected < previewed ? 'the rest changed' : 'more matched'} meanwhile)`;
  return `${DONE[kind]} ${jobCount(result.affected)}${changed}.${heldText(result)}`;
}

/** Retried jobs a circuit breaker or the control plane holds wait pending: said after the count, or nothing when none does. */
export function heldText(result: BulkResult): string {
  return heldBySentences(result, result.matched, CONSOLE_RESET);
}

/**
 * Where the notice's link leads: the jobs the action touched, as closely as the jobs filter can say it
 * (one job opens its trace; a group, a selection or a text narrows by service and error text). A purge
 * deleted its jobs, so it has no link.
 */
export function affectedJobsLink(action: BulkAction): NoticeLink | null {
  if (action.kind === 'purge') return null;
  const ids = action.selector.job_ids;
  if (ids?.length === 1 && ids[0] !== undefined) return { href: routeHref('/jobs', { job: String(ids[0]) }), label: 'Open the job' };
  const params = new URLSearchParams();
  // Resolved dead letters stay failed, marked resolved; retried ones move on through pending.
  if (action.kind === 'resolve') params.set('status', 'failed');
  const service = action.selector.service ?? (action.services?.length === 1 ? action.services[0] : undefined);
  if (service) params.set('service', service);
  if (action.selector.search) params.set('q', action.selector.search);
  return { href: routeHref('/jobs', params), label: service ? `Show ${service} jobs` : 'Show the jobs' };
}
