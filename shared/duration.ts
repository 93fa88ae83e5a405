/**
 * Durations as operators type them: `90s`, `10m`, `2h`, `30d`, `1w` (a bare number is seconds). Returns
 * seconds, or null when the text is not one. Used by the CLI (`--running-longer-than 10m`, `--expires 30d`)
 * and the REST API (`?running_longer_than=10m`), so both read the same words the same way.
 */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

export function parseDuration(text: string): number | null {
  const match = /^\s*(\d{1,9})\s*([smhdw]?)\s*$/i.exec(text);
  if (!match?.[1]) return null;
  const unit = UNIT_SECONDS[(match[2] ?? '').toLowerCase() || 's'];
  return unit === undefined ? null : Number(match[1]) * unit;
}

/**
 * A window of whole minutes as operators type it, in its largest whole unit: `30d`, `7d`, `24h`, `90m`.
 * A day is written `24h`, as the runbooks say it.
 */
export function windowText(minutes: number): string {
  if (minutes % 1440 === 0 && minutes > 1440) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}
