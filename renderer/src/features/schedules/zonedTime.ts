/**
 * Times of a schedule as an operator reads them: in the schedule's own zone (where its cron is meant) and
 * in the viewer's, each with its UTC offset, so a fire across a DST change is never ambiguous.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** `2026-03-29 03:00:00 +02:00`: the wall-clock time in `zone` with its offset (`Z` for UTC). */
export function zonedTime(iso: string, zone: string): string {
  const parts = new Map(formatter(zone).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  const offset = (parts.get('timeZoneName') ?? 'GMT').replace(/^GMT/, '');
  const suffix = offset === '' || offset === '+00:00' ? 'Z' : offset;
  return `${parts.get('year')}-${parts.get('month')}-${parts.get('day')} ${parts.get('hour')}:${parts.get('minute')}:${parts.get('second')} ${suffix}`;
}

/** The viewer's own zone, as the browser knows it. */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
