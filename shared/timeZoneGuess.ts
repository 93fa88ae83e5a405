import { closest } from './closestWord.ts';
import { isTimeZone } from './scheduleMath.ts';

/**
 * What a time zone that is not one was probably meant to be: a misspelling of an IANA name
 * (Europe/Berln), or a city without its region (Berlin, new york). Candidates are the zones this
 * runtime knows, so a guess is always a zone the schedule would take.
 */

/**
 * Zones V8 lists by their former names (CLDR keeps them) though IANA renamed them: a guess names the
 * current one, which the runtime takes as well.
 */
const RENAMED: Readonly<Record<string, string>> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Europe/Kiev': 'Europe/Kyiv',
  'America/Godthab': 'America/Nuuk',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
};

export function knownTimeZones(): readonly string[] {
  // supportedValuesOf lists canonical zones, without UTC itself.
  const listed = Intl.supportedValuesOf('timeZone').map((zone) => {
    const renamed = RENAMED[zone];
    return renamed !== undefined && isTimeZone(renamed) ? renamed : zone;
  });
  return ['UTC', ...listed];
}

const cityOf = (zone: string) => (zone.split('/').pop() ?? zone).toLowerCase();

/** The zone `text` likely means, or null when none is close. */
export function guessTimeZone(text: string, zones: readonly string[] = knownTimeZones()): string | null {
  const written = text.trim().replace(/ /g, '_');
  if (written === '') return null;
  const whole = closest(written, zones);
  if (whole) return whole;
  const cities = zones.map(cityOf);
  const near = closest(cityOf(written), cities);
  return near === null ? null : (zones[cities.indexOf(near)] ?? null);
}

/** Why `text` is not a time zone, with the guess when there is one. */
export function timeZoneProblem(text: string, zones: readonly string[] = knownTimeZones()): string {
  const guess = guessTimeZone(text, zones);
  const shown = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  return guess
    ? `'${shown}' is not a time zone: did you mean ${guess}?`
    : `'${shown}' is not a time zone: use an IANA name such as UTC, Europe/Berlin or America/New_York`;
}
