import { timeWithOffset } from '../../shared/localTime.ts';
import { spanText, withTimes } from '../../shared/timesInText.ts';
import { terminalText } from '../log/terminalText.ts';

/** Where a command writes: the real streams, or buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal: colors and progress only then. */
  tty: boolean;
  env: Record<string, string | undefined>;
  /** The terminal's width in characters, when known: tables fit their error column to it. */
  columns?: number;
}

/** A terminal's own width; piped, $COLUMNS (what a shell exports, or an operator sets for a wide log). */
function terminalColumns(): number | undefined {
  if (process.stdout.isTTY === true) return process.stdout.columns;
  const set = Number(process.env.COLUMNS);
  return Number.isInteger(set) && set > 0 ? set : undefined;
}

/**
 * The real streams. Everything written goes through terminalText: commands print what upstreams, jobs
 * and other operators wrote (errors, identifiers, reasons), which must not steer the operator's terminal.
 */
export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(terminalText(text.endsWith('\n') ? text : `${text}\n`)),
    err: (text) => process.stderr.write(terminalText(text.endsWith('\n') ? text : `${text}\n`)),
    tty: process.stdout.isTTY === true,
    env: process.env,
    columns: terminalColumns(),
  };
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

const COLORS = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

/** Color only on a terminal, and never with NO_COLOR set. */
export function paint(io: Io, text: string, color: keyof typeof COLORS): string {
  if (!io.tty || io.env.NO_COLOR !== undefined) return text;
  return `\u001b[${COLORS[color]}m${text}\u001b[0m`;
}

export function statusColor(status: string): keyof typeof COLORS {
  if (status === 'failed' || status === 'open' || status === 'lost') return 'red';
  if (status === 'completed' || status === 'closed' || status === 'ok') return 'green';
  if (status === 'running' || status === 'half_open' || status === 'draining' || status === 'held') return 'yellow';
  return 'dim';
}

/**
 * The zone times are shown in: the operator's own (TZ, else the system's) unless --utc asked for UTC.
 * Set once per command line by runCli; JSON output keeps UTC timestamps whatever this says.
 */
let displayZone: string | undefined;

export function setDisplayZone(zone: string | undefined): void {
  displayZone = zone;
}

/**
 * `2026-01-31 13:00:05+01:00`: local time with its offset (ISO 8601 / RFC 3339), `Z` when the offset is
 * zero. Sortable within one zone, and never ambiguous about which zone it is.
 */
export function when(iso: string | null | undefined): string {
  return whenIn(iso, displayZone);
}

/**
 * Text from elsewhere (an error message, an upstream's answer) with each ISO-8601 UTC time in it written
 * as `when` writes times, so one screen never mixes zones.
 */
export function timesIn(text: string): string {
  return withTimes(text, when);
}

/** The name of the zone `when` shows times in. */
export function displayZoneName(): string {
  return displayZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** As `when`, in a zone named here (a schedule's own) rather than the operator's. */
export function whenIn(iso: string | null | undefined, zone: string | undefined): string {
  return iso ? timeWithOffset(iso, zone) : '-';
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 0) return `in ${duration(-s)}`;
  return `${duration(s)} ago`;
}

/** Seconds as every other span the CLI and the console show (shared/timesInText.ts, spanText). */
export function duration(seconds: number): string {
  return spanText(seconds * 1000);
}

/** A size in bytes as an operator reads it. */
export function bytesText(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
