import { Registry, type RegistryProblem } from '../../shared/registry.ts';
import { closest } from '../../shared/closestWord.ts';

/**
 * Telling a file that is no registry at all (a database, /etc/shadow, a photo) from a registry with
 * mistakes. Checked as a registry, such a file yields a problem per line that quotes the line back (every
 * "unknown key" is a line of the file), thousands of them: its contents on the operator's screen, in the
 * terminal and in a support bundle. It gets one problem instead, which quotes nothing it cannot vouch for.
 */

const TOP_KEYS = Object.keys(Registry.shape);

/** A problem list longer than this is cut, with a last line saying how many more there are. */
export const MAX_PROBLEMS = 50;

/** A problem message longer than this is cut: a message may quote a key or a tag, and a file can make those any size. */
const MAX_MESSAGE = 300;

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Far beyond any registry: the contract takes registry text up to a million characters. */
export const MAX_REGISTRY_BYTES = 8 * 1_048_576;

export function notARegistry(why: string): RegistryProblem {
  return { line: null, col: null, path: '(document)', message: `the file is not a YAML registry: ${why}` };
}

/** Bytes that are not UTF-8 text: one problem, and no attempt to read them as YAML. */
export function notText(bytes: Uint8Array): RegistryProblem | null {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return null;
  } catch {
    return notARegistry(bytes.includes(0) ? binaryWhy(new TextDecoder('latin1').decode(bytes.subarray(0, SQLITE_MAGIC.length))) : 'it is not UTF-8 text');
  }
}

/** The likeliest wrong file is the store itself, next to the registry: named as such. */
function binaryWhy(start: string): string {
  return start.startsWith(SQLITE_MAGIC) ? 'it is an SQLite database (an opsdeck store?), not text' : 'it holds binary data, not text';
}

/**
 * Text a registry cannot be: a NUL or another control character YAML does not allow (tab, newline and
 * carriage return are fine). Checked on text too, not only on files: the console can send text to validate.
 */
export function binaryText(text: string): RegistryProblem | null {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const at = text.search(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
  if (at === -1) return null;
  return notARegistry(binaryWhy(text));
}

/** A key safe and useful to name: short and plain, never a line of a password file. */
function plainKey(key: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]{0,39}$/.test(key);
}

/**
 * A document that is not a mapping, or a mapping none of whose keys is a registry's (nor a misspelling
 * of one: `servces:` is a registry with a typo, checked as such). Null when it may be a registry.
 */
export function notAMapping(value: unknown): RegistryProblem | null {
  if (Array.isArray(value)) return notARegistry("its top level is a list, not a mapping with a 'services' list");
  if (value === null || typeof value !== 'object') {
    return notARegistry(`its top level is ${typeof value === 'string' ? 'plain text' : `a ${typeof value}`}, not a mapping with a 'services' list`);
  }
  const keys = Object.keys(value);
  if (keys.some((key) => TOP_KEYS.includes(key) || closest(key, TOP_KEYS) !== null)) return null;
  const named = keys.filter(plainKey).slice(0, 3);
  const which = named.length > 0 ? ` (${named.map((k) => `'${k}'`).join(', ')}${keys.length > named.length ? ', …' : ''})` : '';
  const count = keys.length === 1 ? 'its one top-level key' : `none of its ${keys.length} top-level keys`;
  return notARegistry(`${count}${which} ${keys.length === 1 ? 'is not' : 'is'} one a registry has (${TOP_KEYS.join(', ')})`);
}

function cutMessage(problem: RegistryProblem): RegistryProblem {
  return problem.message.length <= MAX_MESSAGE ? problem : { ...problem, message: `${problem.message.slice(0, MAX_MESSAGE)}…` };
}

/**
 * The first MAX_PROBLEMS problems, each message cut to a readable length, and a last one saying how many
 * more there are: fixing the first fifty tells more than reading eight thousand. The last line is an error
 * when any problem it stands for is one, so the count of errors still says whether the file is refused.
 */
export function capProblems(problems: readonly RegistryProblem[]): RegistryProblem[] {
  const shown = problems.slice(0, MAX_PROBLEMS).map(cutMessage);
  const rest = problems.slice(MAX_PROBLEMS);
  if (rest.length === 0) return shown;
  const anyError = rest.some((p) => p.severity !== 'warning');
  const more: RegistryProblem = { line: null, col: null, path: '(document)', message: `and ${rest.length} more problem(s) not listed: fix these first` };
  return [...shown, anyError ? more : { ...more, severity: 'warning' }];
}
