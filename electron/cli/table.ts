export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Longer cells are cut with an ellipsis (default 60). */
  max?: number;
  /**
   * Where a long cell loses its text: at the end (default), or in the middle for an error, whose start names
   * the failure ("environment variable WALK_API_TOKEN is not set") and whose end often gives the cause
   * ("…/completions: connection refused"). Such a column also takes the room a wide terminal has. `last`
   * keeps an identifier's last /-part whole and cuts before it: a workflow task's job is `RUN/TASK`, and
   * the task is what tells one from its siblings.
   */
  cut?: 'end' | 'middle' | 'last';
}

/** How much room a table has: the terminal's width (unknown: each column's own max), or none of its cells cut. */
export interface TableFit {
  width?: number;
  wide?: boolean;
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function width(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/** Of a cell cut in the middle, the share kept from its start, which names the failure; the rest from its end. */
const HEAD_SHARE = 0.6;

/** A word longer than this (a URL, a path) may be cut inside; a shorter one (a name) is kept or left out whole. */
const LONG_WORD = 24;

/**
 * What a long word is cut before: the start of a path's or a query's next part. A cut anywhere else can
 * leave what reads as a whole value of its own (`127.0.0.1:1877` of `127.0.0.1:18777`), so a long word
 * with none where the cut falls is left out whole, or, as the first or last word, cut past its URL's
 * scheme://host:port or not at all.
 */
const SEPARATORS = new Set(['/', '\\', '?', '&', '=', ',', ';']);

/** The word around index `at`: where it starts and where it ends (exclusive). */
function wordAround(chars: string[], at: number): [number, number] {
  const start = chars.slice(0, at).lastIndexOf(' ') + 1;
  const end = chars.indexOf(' ', at);
  return [start, end === -1 ? chars.length : end];
}

/** Where a word's URL's scheme://host:port ends (no cut before it), or its start when it holds no URL. */
function addressEnd(chars: string[], start: number, end: number): number {
  const word = chars.slice(start, end).join('');
  const scheme = word.indexOf('://');
  if (scheme === -1) return start;
  const path = chars.slice(start + scheme + 3, end).indexOf('/');
  return path === -1 ? end : start + scheme + 3 + path;
}

/** The separators inside the word from `from` to `to` (inclusive) a cut may fall before, past its address. */
function cutPoints(chars: string[], [start, end]: [number, number], from: number, to: number): number[] {
  const points: number[] = [];
  for (let i = Math.max(from, start + 1, addressEnd(chars, start, end)); i <= Math.min(to, end - 1); i++) if (SEPARATORS.has(chars[i] ?? '')) points.push(i);
  return points;
}

/**
 * Where the head, of at most `budget` characters, ends: before the word the cut would fall in, so a name
 * (WALK_API_TOKEN) is never cut to WALK_A, nor a number (18777) to another; in a long one before a
 * separator, when one is there; inside a long first word with none only when nothing else is left, and
 * never inside its address.
 */
function headEnd(chars: string[], budget: number): number {
  // No room left: a negative index would count from the end and take nearly all of it.
  if (budget <= 0) return 0;
  if (chars[budget] === ' ') return budget;
  const word = wordAround(chars, budget);
  const [start, end] = word;
  if (end - start > LONG_WORD) {
    const inside = cutPoints(chars, word, start, budget).at(-1);
    if (inside !== undefined) return inside;
  }
  if (start > 0) return start - 1;
  return end - start <= LONG_WORD || budget < addressEnd(chars, start, end) ? 0 : budget;
}

/** Where the tail, of at most `budget` characters, starts: after the word the cut would fall in, likewise. */
function tailStart(chars: string[], budget: number): number {
  const from = chars.length - budget;
  if (from <= 0 || chars[from - 1] === ' ') return Math.max(0, from);
  const word = wordAround(chars, from);
  const [start, end] = word;
  if (end - start > LONG_WORD) {
    const inside = cutPoints(chars, word, from, end).at(0);
    if (inside !== undefined) return inside;
  }
  if (end < chars.length) return end + 1;
  return end - start <= LONG_WORD || from < addressEnd(chars, start, end) ? chars.length : from;
}

/** Between a middle-cut cell's head and tail, which end and start at spaces. */
const GAP = ' … ';
/** Beside a middle-cut cell's head or tail when nothing of the other fits. */
const EDGE = '… ';

/** An identifier cut before its last /-part, which is kept whole when it fits: `slow_flow-mxdo6jid…/load`. */
function cutBeforeLast(chars: string[], max: number): string {
  const slash = chars.lastIndexOf('/');
  const last = chars.slice(slash);
  if (slash <= 0 || last.length + 2 > max) return `${chars.slice(0, max - 1).join('')}…`;
  return `${chars.slice(0, max - 1 - last.length).join('')}…${last.join('')}`;
}

function cut(text: string, max: number, where: 'end' | 'middle' | 'last'): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ');
  const chars = [...flat];
  if (chars.length <= max) return flat;
  if (where === 'end') return `${chars.slice(0, max - 1).join('')}…`;
  if (where === 'last') return cutBeforeLast(chars, max);
  const room = max - GAP.length;
  const from = chars.length - (room - headEnd(chars, Math.floor(room * HEAD_SHARE)));
  let tail = tailStart(chars, chars.length - from);
  // The short word the tail would drop ("connection" of "connection refused") is taken whole instead, from
  // the head's room, while the head keeps half of it.
  const [start] = wordAround(chars, from);
  const headLeft = room - (chars.length - start);
  if (tail > from && headLeft > 0 && headEnd(chars, headLeft) >= room / 2) tail = start;
  // What the tail left goes back to the head.
  const head = chars.slice(0, headEnd(chars, room - (chars.length - tail))).join('').trimEnd();
  const end = chars.slice(tail).join('').trimStart();
  // Nothing of one side fits: the other takes its room, with the mark alone on the empty side.
  const alone = max - EDGE.length;
  if (head === '') return `${EDGE}${chars.slice(tailStart(chars, alone)).join('').trimStart()}`.trimEnd();
  if (end === '') return `${chars.slice(0, headEnd(chars, alone)).join('').trimEnd()} ${EDGE.trim()}`.trimStart();
  return `${head}${GAP}${end}`;
}

function pad(text: string, w: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, w - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

/**
 * Each column's max: its own, or none with --wide; a middle-cut column (an error) also takes what a known
 * terminal width leaves it beside the others, so a wide terminal shows the whole message.
 */
function maxes(columns: Column[], rows: string[][], fit: TableFit): number[] {
  if (fit.wide) return columns.map(() => Number.POSITIVE_INFINITY);
  const own = columns.map((c) => c.max ?? 60);
  const { width: room } = fit;
  const stretching = columns.flatMap((c, i) => (c.cut === 'middle' ? [i] : []));
  if (room === undefined || stretching.length === 0) return own;
  const used = columns.reduce((sum, c, i) => {
    if (stretching.includes(i)) return sum;
    return sum + Math.max(width(c.header), ...rows.map((r) => width(cut(r[i] ?? '', own[i] ?? 60, 'end'))));
  }, 2 * (columns.length - 1));
  const share = Math.floor((room - used) / stretching.length);
  return own.map((m, i) => (stretching.includes(i) ? Math.max(m, share) : m));
}

/** Columns aligned with two spaces between them; the last column is not padded. */
export function renderTable(columns: Column[], rows: string[][], fit: TableFit = {}): string {
  const max = maxes(columns, rows, fit);
  const cells = rows.map((row) => columns.map((c, i) => cut(row[i] ?? '', max[i] ?? 60, c.cut ?? 'end')));
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i] ?? ''))));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i] ?? 0, columns[i]?.align ?? 'left')))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n');
}

/** Plain `key: value` lines with the keys aligned. */
export function renderFields(fields: Array<[string, string]>): string {
  const w = Math.max(0, ...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${`${k}:`.padEnd(w + 1)} ${v}`).join('\n');
}
