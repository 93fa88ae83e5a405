import type { FailureGroup, RecentFailures } from '../../../../shared/contract.ts';
import { ErrorClass } from '../../../../shared/errorClass.ts';
import { formatCount } from '../../lib/format.ts';
import { routeHref } from '../../lib/router.ts';

/** The windows the panel offers, in minutes: the incident's first minutes, the runbook's hour, the day. */
export const FAILURE_WINDOWS = { '15m': 15, '1h': 60, '24h': 1440 } as const;
export type FailureWindow = keyof typeof FAILURE_WINDOWS;

/** The URL parameter that keeps the window, so a shared address shows the same panel. */
export const FAILURE_WINDOW_PARAM = 'failures';

const WORDS: Record<FailureWindow, string> = { '15m': 'the last 15 minutes', '1h': 'the last hour', '24h': 'the last 24 hours' };

/** Rows shown before the operator asks for all: the largest groups are the incident, the rest is noise. */
export const ROWS_SHOWN = 10;

function isFailureWindow(value: string | null): value is FailureWindow {
  return value !== null && Object.hasOwn(FAILURE_WINDOWS, value);
}

/** The window in the address; the runbook's hour when there is none or it is not one the panel offers. */
export function failureWindow(params: URLSearchParams): FailureWindow {
  const value = params.get(FAILURE_WINDOW_PARAM);
  return isFailureWindow(value) ? value : '1h';
}

/** "the last hour": the heading and the empty state both say which window they speak of. */
export function windowWords(chosen: FailureWindow): string {
  return WORDS[chosen];
}

/** Attempts whose job was to try again: every failure that did not end its job in the dead letters. */
export function retried(group: FailureGroup): number {
  return group.failures - group.dead_lettered;
}

/**
 * The jobs behind a group: the Jobs page filtered to its service and failure class, and the hover that says
 * so. A class the Jobs filter would refuse is left out rather than sent, so the link still narrows to the service.
 */
export function jobsLink(group: FailureGroup): { href: string; title: string } {
  const errorClass = ErrorClass.safeParse(group.error_class);
  if (!errorClass.success) return { href: routeHref('/jobs', { service: group.service_name }), title: `Jobs of ${group.service_name}` };
  return {
    href: routeHref('/jobs', { service: group.service_name, class: errorClass.data }),
    title: `Jobs of ${group.service_name} that failed with ${errorClass.data}`,
  };
}

/**
 * A group's sample as its cell shows it: the error's first line, or that pruning took the minute holding it
 * (no sample; the group's counts still stand).
 */
/** `inText`: how the times inside the error are written (the console's zone). */
export function sampleText(group: FailureGroup, inText: (text: string) => string = (text) => text): string {
  return group.sample_error === null ? 'sample pruned' : shortError(inText(group.sample_error));
}

/** An error's first line, cut to fit a table cell; a stack trace's first line names the failure. */
export function shortError(message: string, max = 120): string {
  const lines = message.trim().split('\n');
  const first = (lines[0] ?? '').trim();
  if (first === '') return '—';
  if (first.length > max) return `${first.slice(0, max - 1).trimEnd()}…`;
  // A message of several lines says it goes on, even when its first line fits.
  return lines.length > 1 ? `${first} …` : first;
}

/** What the groups shown leave out when the host returned only the largest ones; null when they hold every failure. */
export function truncationNote(data: RecentFailures): string | null {
  if (!data.truncated) return null;
  const shown = data.groups.reduce((sum, g) => sum + g.failures, 0);
  const rest = Math.max(0, data.total - shown);
  return `Only the ${formatCount(data.groups.length)} largest groups are listed; ${formatCount(rest)} more failed ${rest === 1 ? 'attempt fails' : 'attempts fail'} in other ways.`;
}
