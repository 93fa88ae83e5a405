/**
 * The API writes the times in its sentences (a job's waiting reasons, a health check's detail) as ISO-8601
 * UTC with a relative span beside them, so a REST client reads them whatever its zone. The CLI and the
 * console then write each such time in the reader's zone, as they write every other time.
 */

/** An ISO-8601 UTC time as `Date.prototype.toISOString` writes it, milliseconds optional. */
const ISO_TIME = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,3}))?Z/;

/**
 * A word quoted as shellWord.ts quotes one (`'…'`, a quote inside written `'\''`), at the start of a word or
 * of an option's value (`--registry='…'`): part of a command line to paste, whose times are a path's or a
 * value's own. An apostrophe inside a word (the worker's) quotes nothing.
 */
const SHELL_QUOTED = /(?<=^|[\s=])'(?:[^']|'\\'')*'/;

/** Either; a quoted word is matched first, so the times inside it are never matched apart. */
const QUOTED_OR_TIME = new RegExp(`${SHELL_QUOTED.source}|${ISO_TIME.source}`, 'g');

/** Whether `text` holds a time `withTimes` would rewrite: shellWord.ts quotes a word holding one, to keep it as written. */
export function holdsTime(text: string): boolean {
  return ISO_TIME.test(text);
}

/**
 * `text` with every ISO-8601 UTC time in it written by `format`, to the second as every other time is shown
 * (the API's own sentences carry milliseconds no operator needs; the console's hover keeps an error's text as
 * stored). Only a real moment is rewritten: one that reads back as written (`2026-02-30T10:00:00Z` or
 * `T24:00:00Z` would become another day, a different claim than the text made), left as it is otherwise.
 * Never one inside a shell-quoted word: a command line to paste (a path `/srv/releases/2026-12-07T20:00:00Z/`)
 * must name what it named.
 */
export function withTimes(text: string, format: (iso: string) => string): string {
  return text.replace(QUOTED_OR_TIME, (found: string, seconds: string | undefined, fraction: string | undefined) => {
    if (seconds === undefined) return found;
    const ms = Date.parse(found);
    const real = !Number.isNaN(ms) && new Date(ms).toISOString() === `${seconds}.${(fraction ?? '').padEnd(3, '0')}Z`;
    return real ? format(found) : found;
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
