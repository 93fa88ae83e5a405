import { hidden, hiddenBare } from './cutValue.ts';
import { cutCommandLine } from './commandLine.ts';
import { cutProgramArgs, programOf, type Program } from './programArgs.ts';
import { hidesValue, isSecretKey, REDACTED, redactUrl } from './secrets.ts';

/**
 * Secrets written into text rather than under a key: `password=hunter2`, `token: abc`, `"api_key": "…"`,
 * `Authorization: Bearer …`, a URL's password, and an argv's `--password hunter2`. A name is secret by the
 * same rule as a payload's keys (isSecretKey), so `token_env_var: API_TOKEN` keeps the variable's name.
 */

/**
 * A name and its separator: the name optionally quoted (JSON, YAML), the separator on one line (a name ending
 * a line is a heading, not an assignment). A name starts where no name character precedes it, so a long run
 * of them is tried once.
 */
const NAME = /(?<![\w.-])(["']?)([\w.-]{1,100})\1[ \t]*[:=][ \t]*/g;
/**
 * A value up to a space, quote or list separator; the marker itself is a value, read whole so a cut reads
 * the same cut again. Closing brackets at its end close the text around it (`(password=hunter2)`) and are
 * given back by hiddenBare: a lookahead for them here would rescan each run of brackets from every
 * character before it, quadratic in a job's output.
 */
const BARE = String.raw`${REDACTED.replace(/[[\]]/g, '\\$&')}|[^\s"',;&]+`;

/**
 * The value after a secret's name: quoted, or bare (an unclosed quote's up to the space). An authorization
 * scheme before it is kept, so a reader still tells Bearer from Basic.
 */
const VALUE = new RegExp(String.raw`"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'|(["']?(?:(?:bearer|basic|token|digest)[ \t]+)?)(${BARE})`, 'iy');
/** A flag and its value, as a program echoes its command line: `--password hunter2`. */
const FLAG_VALUE = new RegExp(String.raw`(?<![\w.-])(--?[A-Za-z][\w.-]{0,99})([ \t]+)(?!-)(${BARE})`, 'g');
/** A bearer token with no header name before it, as a client library quotes it in an error. */
const BEARER = /\b(bearer[ \t]+)([\w.~+/=-]+)/gi;

function valueHidden(value: RegExpExecArray): string {
  const [, doubled, single, lead, bare] = value;
  if (doubled !== undefined) return `"${hidden(doubled)}"`;
  if (single !== undefined) return `'${hidden(single)}'`;
  return `${lead ?? ''}${hiddenBare(bare ?? '')}`;
}

/**
 * A value as a number when it is one, closing brackets aside (`(tokens=5)`): a count under a name that counts
 * is no secret (hidesValue). Anchored at the start, so a long run of brackets is read once.
 */
function asNumber(value: string): string {
  return value.replace(/^(\d[\d.]{0,30})[)\]}>]+$/, '$1');
}

/** Values assigned to a secret's name. A name that is no secret's leaves its value to be read on: `msg: "token=abc"`. */
function withoutAssigned(text: string): string {
  const value = new RegExp(VALUE);
  let out = '';
  let from = 0;
  for (const name of text.matchAll(NAME)) {
    const key = name[2] ?? '';
    if (name.index < from || !isSecretKey(key)) continue;
    const at = name.index + name[0].length;
    value.lastIndex = at;
    const found = value.exec(text);
    if (found === null || !hidesValue(key, found[1] ?? found[2] ?? asNumber(found[4] ?? ''))) continue;
    out += `${text.slice(from, at)}${valueHidden(found)}`;
    from = value.lastIndex;
  }
  return out + text.slice(from);
}

/** Some text may name a program whose options hide a secret (programArgs.ts): only then are its lines split into words. */
const NAMES_PROGRAM = /mysql|mariadb|curl/i;

/**
 * Each line's words after a program's name cut as its argv, to the end of its command: `mysql -u etl
 * -phunter2`, `curl -u ops:pw URL`, but not `mkdir -p /srv/out` after `&&` (commandLine.ts).
 */
function withoutProgramSecrets(text: string): string {
  if (!NAMES_PROGRAM.test(text)) return text;
  return text
    .split('\n')
    .map((line) => {
      if (!NAMES_PROGRAM.test(line)) return line;
      // Words at the even places, the blanks between them at the odd ones.
      const parts = line.split(/([ \t]+)/);
      const words = cutCommandLine(parts.filter((_, i) => i % 2 === 0));
      return parts.map((part, i) => (i % 2 === 0 ? (words[i / 2] ?? part) : part)).join('');
    })
    .join('\n');
}

/**
 * The text with each value given under a secret's name (`password=…`, `token: …`, `--password …`), every
 * bearer token, every URL password, and the passwords of a MySQL client's `-p` and curl's `-u user:pass`
 * written after the program's name replaced.
 */
export function redactSecretText(text: string): string {
  const flagged = withoutAssigned(redactUrl(withoutProgramSecrets(text))).replace(FLAG_VALUE, (whole: string, flag: string, gap: string, value: string) =>
    takesSecret(flag, asNumber(value)) ? `${flag}${gap}${hiddenBare(value)}` : whole,
  );
  return flagged.replace(BEARER, (_whole: string, scheme: string, token: string) => `${scheme}${hidden(token)}`);
}

/**
 * A flag whose name says its value is secret (`--password`, `-token`, `--api-key`), followed by a value that
 * may be one: not a count (`--max-tokens 100`).
 */
function takesSecret(arg: unknown, value: string): boolean {
  const flag = typeof arg === 'string' ? /^--?([A-Za-z][\w.-]*)$/.exec(arg) : null;
  return flag?.[1] !== undefined && hidesValue(flag[1], value);
}

/**
 * An argv with secrets cut: the value after a secret-named flag (`--password hunter2`), in each argument
 * what redactSecretText cuts (`--token=abc`, `Authorization: Bearer abc`, `https://u:pw@host`), and what a
 * MySQL client's or curl's options hide once the argv names the program, or from the start when `program`
 * says whose arguments these are (a service's command, which a job's payload.args follow). A flag after a
 * secret-named one is read as the next flag (`--no-password --verbose`), not as its value.
 */
export function redactArgs(args: readonly unknown[], program: Program | null = null): unknown[] {
  const cut = cutProgramArgs(args, program);
  return cut.map((arg, i) => {
    if (typeof arg !== 'string') return arg;
    if (takesSecret(cut[i - 1], arg) && !arg.startsWith('-')) return hidden(arg);
    return redactSecretText(arg);
  });
}

/**
 * A JSON-like value with every string read as text (redactSecretText) and every array as an argv
 * (redactArgs) of `program`, or of the program an object's `command` names (a job's security context).
 */
export function redactSecretsInText(value: unknown, program: Program | null = null): unknown {
  if (typeof value === 'string') return redactSecretText(value);
  if (Array.isArray(value)) return redactArgs(value, program).map((item) => (typeof item === 'string' ? item : redactSecretsInText(item, program)));
  if (value === null || typeof value !== 'object') return value;
  const own = programOf(Reflect.get(value, 'command')) ?? program;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, redactSecretsInText(field, own)]));
}
