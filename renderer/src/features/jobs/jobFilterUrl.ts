import { ExecutionType, JobFilter, JobStatus } from '../../../../shared/domain.ts';
import { parseDuration } from '../../../../shared/duration.ts';
import { ErrorClass } from '../../../../shared/errorClass.ts';
import { issueText, type DroppedParam } from '../../lib/urlParams.ts';

/** Relative time ranges an operator picks; resolved to timestamps when the filter is read. */
export const TIME_RANGES = { '15m': 15 * 60, '1h': 3600, '6h': 6 * 3600, '24h': 86_400, '7d': 7 * 86_400 } as const;
export type TimeRange = keyof typeof TIME_RANGES;

function isTimeRange(value: string | null): value is TimeRange {
  return value !== null && Object.hasOwn(TIME_RANGES, value);
}

function list<T extends string>(raw: string | null, allowed: readonly T[]): T[] | undefined {
  if (!raw) return undefined;
  const values = raw.split(',').filter((v): v is T => (allowed as readonly string[]).includes(v));
  return values.length > 0 ? values : undefined;
}

function text(raw: string | null): string | undefined {
  const value = raw?.trim();
  return value ? value : undefined;
}

function isoOrUndefined(raw: string | null): string | undefined {
  if (!raw) return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** What each filter is called on the page, for the notice when one is left out. */
const LABELS: Record<keyof JobFilter, string> = {
  status: 'Status',
  queue: 'Queue',
  service: 'Service',
  execution_type: 'Execution type',
  created_after: 'From',
  created_before: 'To',
  search: 'Error text',
  error_class: 'Failure class',
  unresolved: 'Unresolved',
  stuck: 'Stuck only',
  scheduled: 'Not due yet',
  started_before: 'Running longer than',
};

function isFilterKey(key: PropertyKey | undefined): key is keyof JobFilter {
  return typeof key === 'string' && Object.hasOwn(LABELS, key);
}

/**
 * The URL's filter parameters as a JobFilter. `now` resolves a relative range, so the caller decides when it
 * moves. A value the contract refuses (a service name past 200 characters, error text past 500) is left out
 * and listed in `dropped`: the address is typed and shared by hand, and must never take the page down.
 */
export function filterFromParams(params: URLSearchParams, now: number): { filter: JobFilter; dropped: DroppedParam[] } {
  const range = params.get('range');
  const longer = runningLongerThan(params, now);
  const status = list(params.get('status'), JobStatus.options);
  const candidate: JobFilter = {
    // As `jobs --running-longer-than` and `?running_longer_than=`: running jobs unless a status is picked.
    status: status ?? (longer.started_before === undefined ? undefined : ['running']),
    queue: text(params.get('queue')),
    service: text(params.get('service')),
    execution_type: list(params.get('type'), ExecutionType.options),
    search: text(params.get('q')),
    error_class: ErrorClass.safeParse(text(params.get('class'))).data,
    created_after: isTimeRange(range) ? new Date(now - TIME_RANGES[range] * 1000).toISOString() : isoOrUndefined(params.get('from')),
    created_before: isTimeRange(range) ? undefined : isoOrUndefined(params.get('to')),
    stuck: params.get('stuck') === '1' ? true : undefined,
    scheduled: params.get('scheduled') === '1' ? true : undefined,
    unresolved: params.get('unresolved') === '1' ? true : undefined,
    started_before: longer.started_before,
  };
  // Undefined keys would make equal filters look different in query keys.
  const kept = Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined));
  const checked = JobFilter.safeParse(kept);
  if (checked.success) return { filter: checked.data, dropped: longer.dropped };
  const dropped: DroppedParam[] = [...longer.dropped];
  const refused = new Set<string>();
  for (const issue of checked.error.issues) {
    const key = issue.path[0];
    if (!isFilterKey(key) || refused.has(key)) continue;
    refused.add(key);
    dropped.push({ label: LABELS[key], why: issueText(issue, kept[key]) });
  }
  const rest = Object.fromEntries(Object.entries(kept).filter(([key]) => !refused.has(key)));
  // What is left passed on its own; should it still not, no filter is better than a blank page.
  return { filter: JobFilter.safeParse(rest).data ?? {}, dropped };
}

/**
 * `running_longer_than=30m`, read as the CLI's `--running-longer-than` and REST's parameter of that name read
 * it (90s, 10m, 2h, 1d; a bare number is seconds), as the start it means: `now` less that long.
 */
function runningLongerThan(params: URLSearchParams, now: number): { started_before?: string; dropped: DroppedParam[] } {
  const text = params.get('running_longer_than')?.trim();
  if (!text) return { dropped: [] };
  const seconds = parseDuration(text);
  if (seconds === null) return { dropped: [{ label: LABELS.started_before, why: `"${text.slice(0, 40)}" is not a duration: write one like 90s, 10m, 2h or 1d` }] };
  return { started_before: new Date(now - seconds * 1000).toISOString(), dropped: [] };
}

/** The URL parameters that are filters (the drawer's `job` is not). */
export const FILTER_PARAMS = ['status', 'queue', 'service', 'type', 'range', 'from', 'to', 'q', 'class', 'stuck', 'scheduled', 'unresolved', 'running_longer_than'] as const;

export function hasFilters(params: URLSearchParams): boolean {
  return FILTER_PARAMS.some((key) => params.has(key));
}

/** The values of a comma-separated list parameter, e.g. `status=failed,running`. */
export function listParam(params: URLSearchParams, key: string): Set<string> {
  return new Set((params.get(key) ?? '').split(',').filter(Boolean));
}

/** Ticks or unticks one value of a list parameter; the last one unticked removes the parameter. */
export function toggleListParam(params: URLSearchParams, key: string, value: string): void {
  const next = listParam(params, key);
  if (next.has(value)) next.delete(value);
  else next.add(value);
  if (next.size === 0) params.delete(key);
  else params.set(key, [...next].join(','));
}

/** `datetime-local` wants local wall-clock time without a zone: 2026-11-22T08:30. */
export function toLocalInput(ms: number, offsetMinutes = new Date(ms).getTimezoneOffset()): string {
  return new Date(ms - offsetMinutes * 60_000).toISOString().slice(0, 16);
}

/** What the "Created" menu shows for these parameters: a relative range, `custom` for a window, or any time. */
export function createdChoice(params: URLSearchParams): string {
  return params.get('range') ?? (params.has('from') || params.has('to') ? 'custom' : '');
}

/** Picks a created range: `custom` opens a window starting an hour before `now`, a range replaces any window. */
export function chooseCreated(params: URLSearchParams, choice: string, now: number): void {
  if (choice === 'custom') {
    params.delete('range');
    if (!params.has('from')) params.set('from', toLocalInput(now - 3600_000));
    return;
  }
  params.delete('from');
  params.delete('to');
  if (choice) params.set('range', choice);
  else params.delete('range');
}
