export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Longer cells are cut with an ellipsis (default 60). */
  max?: number;
  /**
   * Where a long cell loses its text: at the end (default), or in the middle for an error, whose cause comes
   * last ("connection failed calling POST https://…/completions: connection refused"): cut at the end, the
   * URL took all the room and the cause was never shown.
   */
  cut?: 'end' | 'middle';
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function width(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/** Of a cell cut in the middle, the share kept from its start; the rest, the larger part, comes from its end. */
const HEAD_SHARE = 0.4;

function cut(text: string, max: number, where: 'end' | 'middle'): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ');
  const chars = [...flat];
  if (chars.length <= max) return flat;
  if (where === 'end') return `${chars.slice(0, max - 1).join('')}…`;
  const head = Math.floor((max - 1) * HEAD_SHARE);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (max - 1 - head)).join('')}`;
}

function pad(text: string, w: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, w - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Columns aligned with two spaces between them; the last column is not padded. */
export function renderTable(columns: Column[], rows: string[][]): string {
  const cells = rows.map((row) => columns.map((c, i) => cut(row[i] ?? '', c.max ?? 60, c.cut ?? 'end')));
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
