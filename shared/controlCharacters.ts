/**
 * Control characters: C0 (but for newline and tab, which text may hold), DEL and C1, and the
 * bidirectional overrides and isolates that reorder how a line is drawn. A terminal obeys them, so text
 * from elsewhere shows them as escapes (electron/log/terminalText.ts), and names and identifiers refuse them.
 */
export function isControlCharacter(code: number): boolean {
  if (code === 0x0a || code === 0x09) return false;
  return code < 0x20 || (code >= 0x7f && code < 0xa0) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

const NAMED_ESCAPES: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };

/** A character as its escape, in JSON's own notation, so a JSON string shown this way still says the same. */
export function escapedCharacter(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0x20 && code < 0x7f) return char;
  const named = NAMED_ESCAPES[char];
  if (named !== undefined) return named;
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The first control character of a name or identifier (newlines and tabs count), and where: 1-based. */
export function firstControlCharacter(text: string): { shown: string; at: number } | null {
  let at = 0;
  for (const char of text) {
    at += 1;
    const code = char.codePointAt(0) ?? 0;
    if (isControlCharacter(code) || code === 0x0a || code === 0x09) return { shown: escapedCharacter(char), at };
  }
  return null;
}
