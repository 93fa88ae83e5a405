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

/**
 * JSON text for a jsonb parameter. jsonb refuses what JSON.stringify writes for a NUL (\u0000) and for
 * a lone surrogate (\ud800), so strings holding either are cleaned; the replacer that does it is slow,
 * so it runs only when the fast text shows there is something to clean.
 */
export function jsonNoNul(value: unknown): string {
  const text = JSON.stringify(value);
  if (!text.includes('\\u0000') && !LONE_SURROGATE.test(text)) return text;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? noNul(v).toWellFormed() : v));
}

const LONE_SURROGATE = /\\ud[89a-f]/i;
