/**
 * One way of writing a moment for people, shared by the CLI and the console so the two never disagree:
 * `2026-12-06 21:46:48+01:00`, the local time and its offset (ISO 8601 / RFC 3339), `Z` when the offset is
 * zero. Year first whatever the locale (12/06/2026 reads as June or December depending on the reader), in
 * the Gregorian calendar with Latin digits, and never ambiguous about its zone.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

let machineZone: { offsetNow: number; name: string } | null = null;

/**
 * The machine's zone by its name. TZ may change while a process runs (tests do), and a formatter keeps its
 * zone, so it is asked again, but only when the offset now has changed: asking Intl costs about fifteen
 * times a formatting, and every time cell of every console poll comes through here. A change between two
 * zones at the same offset now is missed; each time then still reads true, with the offset of the zone used.
 */
function machineZoneName(): string {
  const offsetNow = new Date().getTimezoneOffset();
  if (machineZone?.offsetNow !== offsetNow) machineZone = { offsetNow, name: Intl.DateTimeFormat().resolvedOptions().timeZone };
  return machineZone.name;
}

function formatter(zone: string | undefined): Intl.DateTimeFormat {
  const key = zone ?? machineZoneName();
  const known = formatters.get(key);
  if (known) return known;
  const options: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
    calendar: 'gregory',
    numberingSystem: 'latn',
  };
  let made: Intl.DateTimeFormat;
  try {
    made = new Intl.DateTimeFormat('en-US', { ...options, timeZone: key });
  } catch {
    // A zone Intl does not know (a POSIX rule such as EST5EDT4): the system's, as Node itself falls back.
    made = new Intl.DateTimeFormat('en-US', options);
  }
  formatters.set(key, made);
  return made;
}

/** `2026-12-06 21:46:48+01:00` in `zone` (default: this machine's); text that is no time comes back as it is. */
export function timeWithOffset(iso: string, zone?: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const parts = new Map(formatter(zone).formatToParts(ms).map((p) => [p.type, p.value]));
  const offset = (parts.get('timeZoneName') ?? 'GMT').replace(/^GMT/, '');
  const suffix = offset === '' || offset === '+00:00' || offset === '-00:00' ? 'Z' : offset;
  return `${parts.get('year')}-${parts.get('month')}-${parts.get('day')} ${parts.get('hour')}:${parts.get('minute')}:${parts.get('second')}${suffix}`;
}
