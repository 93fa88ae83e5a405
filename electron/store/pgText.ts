/**
 * PostgreSQL text and jsonb cannot hold NUL characters, which a process's output, an error message or
 * a pasted reason may well contain. Writes of such text must not fail over them: a settlement that
 * failed would leave its job hanging until its lease ran out.
 */
export function noNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

export function noNulOrNull(text: string | null): string | null {
  return text === null ? null : noNul(text);
}

export function jsonNoNul(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? noNul(v) : v));
}
