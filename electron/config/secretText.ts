import { isSecretKey, REDACTED, redactUrl } from './secrets.ts';

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
 * given back by closedOff: a lookahead for them here would rescan each run of brackets from every
 * character before it, quadratic in a job's output.
 */
const BARE = String.raw`${REDACTED.replace(/[[\]]/g, '\\$&')}|[^\s"',;&]+`;

/** A bare value and the closing brackets that end it, which belong to the text around it. */
function closedOff(value: string): { value: string; closing: string } {
  if (value === REDACTED) return { value, closing: '' };
  let end = value.length;
  while (end > 0 && ')]}>'.includes(value[end - 1] ?? '')) end -= 1;
  return { value: value.slice(0, end), closing: value.slice(end) };
}
/**
 * The value after a secret's name: quoted, or bare (an unclosed quote's up to the space). An authorization
 * scheme before it is kept, so a reader still tells Bearer from Basic.
 */
const VALUE = new RegExp(String.raw`"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'|(["']?(?:(?:bearer|basic|token|digest)[ \t]+)?)(${BARE})`, 'iy');
/** A flag and its value, as a program echoes its command line: `--password hunter2`. */
const FLAG_VALUE = new RegExp(String.raw`(?<![\w.-])(--?[A-Za-z][\w.-]{0,99})([ \t]+)(?!-)(${BARE})`, 'g');
/** A bearer token with no header name before it, as a client library quotes it in an error. */
const BEARER = /\b(bearer[ \t]+)([\w.~+/=-]+)/gi;

function hidden(value: string): string {
  return value === '' || value === REDACTED ? value : REDACTED;
}

function valueHidden(value: RegExpExecArray): string {
  const [, doubled, single, lead, bare] = value;
  if (doubled !== undefined) return `"${hidden(doubled)}"`;
  if (single !== undefined) return `'${hidden(single)}'`;
  const { value: secret, closing } = closedOff(bare ?? '');
  return `${lead ?? ''}${hidden(secret)}${closing}`;
}

/** Values assigned to a secret's name. A name that is no secret's leaves its value to be read on: `msg: "token=abc"`. */
function withoutAssigned(text: string): string {
  const value = new RegExp(VALUE);
  let out = '';
  let from = 0;
  for (const name of text.matchAll(NAME)) {
    if (name.index < from || !isSecretKey(name[2] ?? '')) continue;
    const at = name.index + name[0].length;
    value.lastIndex = at;
    const found = value.exec(text);
    if (found === null) continue;
    out += `${text.slice(from, at)}${valueHidden(found)}`;
    from = value.lastIndex;
  }
  return out + text.slice(from);
}

/**
 * The text with each value given under a secret's name (`password=…`, `token: …`, `--password …`), every
 * bearer token and every URL password replaced.
 */
export function redactSecretText(text: string): string {
  const flagged = withoutAssigned(redactUrl(text)).replace(FLAG_VALUE, (whole: string, flag: string, gap: string, value: string) => {
    if (!takesSecret(flag)) return whole;
    const { value: secret, closing } = closedOff(value);
    return `${flag}${gap}${hidden(secret)}${closing}`;
  });
  return flagged.replace(BEARER, (_whole: string, scheme: string, token: string) => `${scheme}${hidden(token)}`);
}

/** A flag whose name says its value is secret, the value following it: `--password`, `-token`, `--api-key`. */
function takesSecret(arg: unknown): boolean {
  const flag = typeof arg === 'string' ? /^--?([A-Za-z][\w.-]*)$/.exec(arg) : null;
  return flag?.[1] !== undefined && isSecretKey(flag[1]);
}

/**
 * An argv with secrets cut: the value after a secret-named flag (`--password hunter2`), and in each argument
 * what redactSecretText cuts (`--token=abc`, `Authorization: Bearer abc`, `https://u:pw@host`). A flag after a
 * secret-named one is read as the next flag (`--no-password --verbose`), not as its value.
 */
export function redactArgs(args: readonly unknown[]): unknown[] {
  return args.map((arg, i) => {
    if (typeof arg !== 'string') return arg;
    if (takesSecret(args[i - 1]) && !arg.startsWith('-')) return hidden(arg);
    return redactSecretText(arg);
  });
}

/** A JSON-like value with every string read as text (redactSecretText) and every array as an argv (redactArgs). */
export function redactSecretsInText(value: unknown): unknown {
  if (typeof value === 'string') return redactSecretText(value);
  if (Array.isArray(value)) return redactArgs(value).map((item) => (typeof item === 'string' ? item : redactSecretsInText(item)));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, redactSecretsInText(field)]));
}
