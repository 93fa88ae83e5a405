/**
 * The API writes the times in its sentences (a job's waiting reasons, a health check's detail) as ISO-8601
 * UTC with a relative span beside them, so a REST client reads them whatever its zone. The CLI and the
 * console then write each such time in the reader's zone, as they write every other time.
 */

/** An ISO-8601 UTC time as `Date.prototype.toISOString` writes it, milliseconds optional. */
const ISO_IN_TEXT = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,3}))?Z/g;

/**
 * `text` with every ISO-8601 UTC time in it written by `format`, to the second as every other time is shown
 * (the API's own sentences carry milliseconds no operator needs; the console's hover keeps an error's text as
 * stored). Only a real moment is rewritten: one that reads back as written (`2026-02-30T10:00:00Z` or
 * `T24:00:00Z` would become another day, a different claim than the text made), left as it is otherwise.
 */
export function withTimes(text: string, format: (iso: string) => string): string {
  return text.replace(ISO_IN_TEXT, (iso: string, seconds: string, fraction: string | undefined) => {
    const ms = Date.parse(iso);
    const real = !Number.isNaN(ms) && new Date(ms).toISOString() === `${seconds}.${(fraction ?? '').padEnd(3, '0')}Z`;
    return real ? format(iso) : iso;
  });
}

/** A span an operator reads at a glance: 45s, 12m, 3h 5m, 2d 4h. */
export function spanText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  // Rounded to the unit shown before it is split, so 3 590 s reads 1h 0m, never 60m.
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 2880) return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
  const hours = Math.round(minutes / 60);
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** "2026-12-06T18:00:00.000Z (in 1h 55m)": a time to come in a sentence. */
export function timeToCome(iso: string, now: Date): string {
  return `${iso} (in ${spanText(Date.parse(iso) - now.getTime())})`;
}
