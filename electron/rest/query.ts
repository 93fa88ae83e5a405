import { z } from 'zod';
import { closest } from '../../shared/closestWord.ts';
import { parseDuration } from '../../shared/duration.ts';
import { Timestamp } from '../../shared/domain.ts';
import { PAST_TIME_FORMS, readPastTime, readTime } from '../../shared/pastTime.ts';

/**
 * Query parameters arrive as text: these read them into what the contract's calls take, with messages
 * that name the parameter's own form (`status=failed,running`, `limit=50`, `running_longer_than=10m`).
 */

/** `unknown`: what to say of a word that is none of `values` (by default, the one likely meant). */
export function csv<T extends string>(values: z.ZodEnum<Record<T, T>>, unknown?: (word: string) => string) {
  const refusal = unknown ?? ((word: string) => {
    const meant = closest(word, values.options);
    return `"${word}" is none of ${values.options.join(', ')}${meant ? ` (did you mean ${meant}?)` : ''}`;
  });
  return z
    .string()
    .transform((text, ctx) => {
      const words = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
      words.forEach((word, index) => {
        if (!values.safeParse(word).success) ctx.addIssue({ code: 'custom', message: refusal(word), path: [index] });
      });
      return words;
    })
    .pipe(z.array(values).min(1, `a comma-separated list of ${values.options.join(', ')}`));
}

export const flag = z
  .enum(['true', 'false', '1', '0'], { message: 'true or false' })
  .transform((value) => value === 'true' || value === '1');

/**
 * A whole number within the bounds of the call's own field (`limit` in the contract), so the REST API
 * refuses what the call would and names the range whatever was wrong: `-5`, `0`, `501` and `ten` alike.
 */
export function count(field: z.ZodNumber) {
  const { minValue: min, maxValue: max } = field;
  if (min === null || max === null) throw new Error('a query count needs a contract field with both bounds');
  const message = `a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,9}$/, message)
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message));
}

/** Seconds, from `90s`, `10m`, `2h`, `1d` or a bare number of seconds. */
export const duration = z.string().transform((text, ctx) => {
  const seconds = parseDuration(text);
  if (seconds === null) {
    ctx.addIssue({ code: 'custom', message: 'a duration like 90s, 10m, 2h or 1d' });
    return z.NEVER;
  }
  return seconds;
});

/**
 * A time in the past as `opsdeck jobs --since` takes it: an ISO time with its offset, a date, or a duration
 * ago (`created_after=1h`), from 1970 on. Anything else is refused with an example of each form, a day no
 * calendar has (2026-02-30) or a time too far back with why.
 */
export const pastTime = z.string().transform((text, ctx) => {
  const read = readPastTime(text, Date.now(), (full) => (Timestamp.safeParse(full).success ? readTime(full) : { kind: 'other' }));
  if (read.kind === 'time') return read.iso;
  ctx.addIssue({ code: 'custom', message: read.kind === 'refused' ? read.problem : `not a time: write ${PAST_TIME_FORMS}` });
  return z.NEVER;
}).describe(`A time: ${PAST_TIME_FORMS}.`);

/** The query string as one value per name (the last one given wins, as most servers do). */
export function queryOf(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) out[key] = value;
  return out;
}
