import type { PerformanceByType, PerformanceFigures } from '../../../../shared/contract.ts';
import { durationText } from '../../../../shared/durationText.ts';
import { perMinuteText, successText } from '../../../../shared/performanceText.ts';
import { durationMs } from '../../../../shared/retention.ts';
import { formatCount } from '../../lib/format.ts';

/** The windows the page offers: the incident's hour, a shift, the day, the week, the month kept by default. */
export const WINDOW_CHOICES = ['1h', '6h', '24h', '7d', '30d'] as const;
export type PerformanceWindow = (typeof WINDOW_CHOICES)[number];

/** Each window in minutes, as `metrics.byType` takes it. */
export const WINDOW_MINUTES: Record<PerformanceWindow, number> = { '1h': 60, '6h': 360, '24h': 1440, '7d': 10_080, '30d': 43_200 };

/** The URL parameter that keeps the window, so a shared address shows the same table. */
export const PERFORMANCE_WINDOW_PARAM = 'window';

/** The URL parameter that keeps the one service the page is narrowed to, if any. */
export const PERFORMANCE_SERVICE_PARAM = 'service';

/** The URL parameter that keeps the table by service turned on (`by=service`); by type when absent. */
export const PERFORMANCE_BY_PARAM = 'by';

const WORDS: Record<PerformanceWindow, string> = {
  '1h': 'the last hour',
  '6h': 'the last 6 hours',
  '24h': 'the last 24 hours',
  '7d': 'the last 7 days',
  '30d': 'the last 30 days',
};

/** The window in the address; the runbook's hour when there is none or it is not one the page offers. */
export function performanceWindow(params: URLSearchParams): PerformanceWindow {
  const value = params.get(PERFORMANCE_WINDOW_PARAM);
  return WINDOW_CHOICES.find((w) => w === value) ?? '1h';
}

/** "the last 7 days": the caption and the empty state say which window they speak of. */
export function windowWords(chosen: PerformanceWindow): string {
  return WORDS[chosen];
}

/**
 * Whether the per-minute history kept (`history`, the registry's retention.history) reaches back over the
 * whole window: past it the host refuses, as the oldest part would read as quiet when it was only pruned.
 * Unknown yet (undefined) counts as kept: the host still says no if it is not.
 */
export function windowKept(chosen: PerformanceWindow, history: string | undefined): boolean {
  return history === undefined || WINDOW_MINUTES[chosen] * 60_000 <= durationMs(history);
}

/** One line of the table: what its header cell says and the figures' cells, as the CLI writes them. */
export interface PerformanceRow {
  key: string;
  label: string;
  /** A service's row names the execution type its jobs ran as; a type's row needs none. */
  type?: string;
  cells: {
    completed: string;
    deadLettered: string;
    retries: string;
    success: string;
    p50: string;
    p95: string;
    p99: string;
    perMinute: string;
  };
}

function rowOf(key: string, label: string, f: PerformanceFigures): PerformanceRow {
  const ms = (value: number | null) => durationText(value, '—');
  return {
    key,
    label,
    cells: {
      completed: formatCount(f.completed),
      deadLettered: formatCount(f.failed),
      retries: formatCount(f.retried),
      success: successText(f.success_rate, '—'),
      p50: ms(f.p50_ms),
      p95: ms(f.p95_ms),
      p99: ms(f.p99_ms),
      perMinute: perMinuteText(f),
    },
  };
}

/** A row per execution type in the host's order, and the total of them all. */
export function performanceRows(result: PerformanceByType): { types: PerformanceRow[]; total: PerformanceRow } {
  return {
    types: result.types.map((t) => rowOf(t.execution_type, t.execution_type, t)),
    total: rowOf('\u0000total', 'All types', result.total),
  };
}

/** A row per service in the host's order (by name), each with its type, and the total of them all. */
export function serviceRows(result: PerformanceByType): { services: PerformanceRow[]; total: PerformanceRow } {
  return {
    services: (result.services ?? []).map((s) => ({ ...rowOf(`${s.service_name}\u0000${s.execution_type}`, s.service_name, s), type: s.execution_type })),
    total: rowOf('\u0000total', 'All services', result.total),
  };
}

/** The service in the address, if any: the page narrowed to that service's jobs. */
export function performanceService(params: URLSearchParams): string | undefined {
  const value = params.get(PERFORMANCE_SERVICE_PARAM);
  return value === null || value === '' ? undefined : value;
}

/** Whether the address asks for the table by service: only then does the page ask for figures per service. */
export function performanceByService(params: URLSearchParams): boolean {
  return params.get(PERFORMANCE_BY_PARAM) === 'service';
}

/**
 * The services the selector offers, by name: the registry's, those with history in the window (a service
 * since taken out of the registry still has its figures), and the one chosen, whatever it is.
 */
export function serviceChoices(registry: readonly string[], result: PerformanceByType | undefined, chosen: string | undefined): string[] {
  const names = new Set(registry);
  for (const s of result?.services ?? []) names.add(s.service_name);
  if (chosen !== undefined) names.add(chosen);
  return [...names].sort((a, b) => a.localeCompare(b));
}
