import { escapedCharacter, isControlCharacter } from '../../shared/controlCharacters.ts';

/**
 * Text for a terminal, from wherever it came: an upstream's error body, a job's identifier, a program's
 * output. A terminal obeys control characters, so text that carries them could erase or rewrite the line
 * around it (`\r`, `ESC[2K`, cursor moves) or hide itself (concealed, or drawn in the background's
 * colour), and say "ok" where the line said "HTTP 500". Each control character is shown as its escape
 * instead (`\u001b`, `\r`, `\u202e`), except newlines and tabs, and the colour codes our own output uses:
 * foreground colours and weights that no background can hide. The escapes are JSON's own, so a JSON line
 * passed through says the same (a raw C1 or bidi character is valid in a JSON string; C0 never is).
 */

/** Bold, dim, italic, underline and their ends; red to cyan, their bright forms, grey, and default. */
const VISIBLE_SGR = new Set([0, 1, 2, 3, 4, 22, 23, 24, 31, 32, 33, 34, 35, 36, 39, 90, 91, 92, 93, 94, 95, 96]);

/** An SGR sequence, taken whole to be kept or shown, or any character but printable ASCII, newline and tab. */
const CANDIDATE = new RegExp(`${String.fromCharCode(27)}\\[([0-9;]*)m|[^\\u0020-\\u007e\\n\\t]`, 'gu');

export function terminalText(text: string): string {
  return text.replace(CANDIDATE, (match: string, sgr: string | undefined) => {
    if (sgr !== undefined) return sgr.split(';').every((p) => VISIBLE_SGR.has(p === '' ? 0 : Number(p))) ? match : [...match].map(escapedCharacter).join('');
    return isControlCharacter(match.codePointAt(0) ?? 0) ? escapedCharacter(match) : match;
  });
}
