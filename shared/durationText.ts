/** 42s, 7m 3s, 5h 12m, 3d 4h: a span of seconds in its two largest units, precise enough for an incident, short enough for a table cell. */
export function secondsText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/**
 * How long work took, written one way wherever a duration is shown: the console's charts, tables, job
 * traces, Performance page and workflow runs, and the CLI's performance and workflow stats. 840 ms below a
 * second, 4.50 s below ten, 12.3 s below a minute, then as a span (2m 5s), as a running job's time is
 * written beside it. `none` is each surface's mark for no value.
 */
export function durationText(ms: number | null, none: string): string {
  if (ms === null || !Number.isFinite(ms)) return none;
  // Each step's bound is where its rounding would reach the next step's first value (999.6 ms is 1.00 s).
  if (ms < 999.5) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 9995) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  return secondsText(ms / 1000);
}
