import { REDACTED } from './secrets.ts';

/** A value replaced by the marker; an empty one has nothing to hide, and a cut one reads the same cut again. */
export function hidden(value: string): string {
  return value === '' || value === REDACTED ? value : REDACTED;
}

/**
 * A bare value (read up to a space) and what around it belongs to the text instead: closing brackets
 * (`(password=hunter2)`) and quotes at its end, and a quote at its start (`-p'hunter2'`).
 */
function closedOff(value: string): { opening: string; value: string; closing: string } {
  if (value === REDACTED) return { opening: '', value, closing: '' };
  const start = value.startsWith('"') || value.startsWith("'") ? 1 : 0;
  let end = value.length;
  while (end > start && ')]}>"\''.includes(value[end - 1] ?? '')) end -= 1;
  return { opening: value.slice(0, start), value: value.slice(start, end), closing: value.slice(end) };
}

/** A bare value hidden, what closes or opens the text around it kept. */
export function hiddenBare(value: string): string {
  const { opening, value: secret, closing } = closedOff(value);
  return `${opening}${hidden(secret)}${closing}`;
}
