/**
 * Why croner refuses a cron expression, in our words. croner's own text numbers the fields ("configuration
 * entry 5"), shows day and month names rewritten as numbers (MON-FRY as 1-FRY) and is off by one for some
 * (a month 13 is "Invalid value for month: 12"), so what the operator typed is read again here, field by
 * field, to name the field, the part of it that is wrong and what it may be. Only a refused expression is
 * read: what croner accepts (its L, W, # and ? included) is never second-guessed.
 */

/** What a cron expression may be, as help and errors say it. */
export const CRON_SHORTHANDS = ['@hourly', '@daily', '@weekly', '@monthly', '@yearly'] as const;
export const CRON_FIELDS_TEXT = '5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first';
export const CRON_FORMS_TEXT = `${CRON_FIELDS_TEXT}, or ${CRON_SHORTHANDS.join(', ')}`;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  name: string;
  /** "'61' is not {noun} ({allowed})". */
  noun: string;
  allowed: string;
  min: number;
  max: number;
  /** Names standing for numbers, the first for `namesFrom`. */
  names: readonly string[];
  namesFrom: number;
  /** croner's forms beyond numbers, names, ranges and steps: ? and the last day or nearest weekday of a month. */
  special: RegExp | null;
  /** Takes the nth or the last weekday of a month: FRI#2, 5L. */
  nth: boolean;
  /** Takes the weekday nearest a day of the month: 15W. */
  nearest: boolean;
}

const field = (name: string, noun: string, min: number, max: number, extra: Partial<Field> = {}): Field => ({
  name,
  noun,
  allowed: `${min}..${max}`,
  min,
  max,
  names: [],
  namesFrom: 0,
  special: null,
  nth: false,
  nearest: false,
  ...extra,
});

const SECOND = field('second', 'a second', 0, 59);
const FIVE: readonly Field[] = [
  field('minute', 'a minute', 0, 59),
  field('hour', 'an hour', 0, 23),
  field('day-of-month', 'a day of the month', 1, 31, { allowed: '1..31, or L for the last', special: /^(\?|L|LW|L-\d+)$/i, nearest: true }),
  field('month', 'a month', 1, 12, { allowed: 'JAN..DEC or 1..12', names: MONTHS, namesFrom: 1 }),
  field('day-of-week', 'a day', 0, 7, { allowed: 'MON..SUN or 0..7', names: DAYS, namesFrom: 0, special: /^\?$/, nth: true }),
];

/** A number or a name of the field, or null when it is neither. */
function valueOf(text: string, f: Field): number | null {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= f.min && n <= f.max ? n : null;
  }
  const at = f.names.indexOf(text.toUpperCase());
  return at < 0 ? null : at + f.namesFrom;
}

const notA = (text: string, f: Field) => `'${text}' is not ${f.noun} (${f.allowed})`;

/** What is wrong with one comma-separated item of a field, or null. */
function itemProblem(item: string, f: Field): string | null {
  if (item === '') return 'an item between commas is empty';
  if (f.special?.test(item)) return null;
  const day = (f.nth ? /^(.+?)(#-?\d+|L)$/i.exec(item) : null) ?? (f.nearest ? /^(\d+)W$/i.exec(item) : null);
  if (day) return valueOf(day[1] ?? '', f) === null ? notA(day[1] ?? '', f) : null;
  const parts = item.split('/');
  if (parts.length > 2) return `'${item}' has more than one /`;
  const [base = '', step] = parts;
  if (step !== undefined) {
    if (!/^\d+$/.test(step)) return `'${step}' is not a step (a whole number, 1 or more)`;
    if (Number(step) === 0) return 'a step is 1 or more, not 0';
    if (Number(step) > f.max - f.min + 1) return `a step of ${step} does not fit in ${f.min}..${f.max}`;
    if (base !== '*' && !base.includes('-')) return `a step goes after * or a range (*/${step} or ${base}-${f.max}/${step}), not after one value (${item})`;
  }
  if (base === '*') return null;
  const ends = base.split('-');
  const [low = '', high] = ends;
  if (ends.length > 2 || low === '' || high === '') return `'${base}' is not a range (low-high)`;
  const from = valueOf(low, f);
  if (from === null) return notA(low, f);
  if (high === undefined) return null;
  const to = valueOf(high, f);
  if (to === null) return notA(high, f);
  if (from > to) return `'${base}' runs backwards: a range goes from low to high (to wrap around, list two ranges)`;
  return null;
}

/**
 * Why an expression croner refused is wrong, in our words: `cron needs 5 fields …; got 4: *\/5 * * *`,
 * `day-of-week 'MON-FRY': 'FRY' is not a day (MON..SUN or 0..7)`. Null when nothing here explains it
 * (the caller then says croner's own words).
 */
export function cronRefusal(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.startsWith('@')) {
    return `'${trimmed}' is not a cron shorthand: use ${CRON_SHORTHANDS.join(', ')}, or ${CRON_FIELDS_TEXT}`;
  }
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) return `cron needs ${CRON_FIELDS_TEXT}; got ${parts.length}: ${trimmed}`;
  const fields = parts.length === 6 ? [SECOND, ...FIVE] : FIVE;
  for (const [i, f] of fields.entries()) {
    const part = parts[i] ?? '';
    for (const item of part.split(',')) {
      const problem = itemProblem(item, f);
      // "hour '24' is not an hour", not "hour '24': '24' is not an hour".
      if (problem !== null) return problem.startsWith(`'${part}' `) ? `${f.name} ${problem}` : `${f.name} '${part}': ${problem}`;
    }
  }
  return null;
}
