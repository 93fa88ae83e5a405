import { ExecutionType, JobFilter, JobStatus } from '../../../../shared/domain.ts';

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

/** The URL's filter parameters as a JobFilter. `now` resolves a relative range, so the caller decides when it moves. */
export function filterFromParams(params: URLSearchParams, now: number): JobFilter {
  const range = params.get('range');
  const filter: JobFilter = {
    status: list(params.get('status'), JobStatus.options),
    queue: text(params.get('queue')),
    service: text(params.get('service')),
    execution_type: list(params.get('type'), ExecutionType.options),
    search: text(params.get('q')),
    created_after: isTimeRange(range) ? new Date(now - TIME_RANGES[range] * 1000).toISOString() : isoOrUndefined(params.get('from')),
    created_before: isTimeRange(range) ? undefined : isoOrUndefined(params.get('to')),
    stuck: params.get('stuck') === '1' ? true : undefined,
    scheduled: params.get('scheduled') === '1' ? true : undefined,
    unresolved: params.get('unresolved') === '1' ? true : undefined,
  };
  // Undefined keys would make equal filters look different in query keys.
  return JobFilter.parse(Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)));
}

/** The URL parameters that are filters (the drawer's `job` is not). */
export const FILTER_PARAMS = ['status', 'queue', 'service', 'type', 'range', 'from', 'to', 'q', 'stuck', 'scheduled', 'unresolved'] as const;

export function hasFilters(params: URLSearchParams): boolean {
  return FILTER_PARAMS.some((key) => params.has(key));
}
