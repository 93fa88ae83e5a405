import { editDistance } from '../../shared/closestWord.ts';

/** The options parseArgs is given: long name → its type and short letter. */
export type ParseOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** A value that starts with a dash yet is a value: -1, -0.5. */
const NEGATIVE_NUMBER = /^-\d*\.?\d+$/;

function longName(token: string, options: ParseOptions): string | undefined {
  if (token.startsWith('--')) return token.slice(2) in options ? token.slice(2) : undefined;
  if (/^-[^-]$/.test(token)) return Object.entries(options).find(([, o]) => o.short === token.slice(1))?.[0];
  return undefined;
}

/**
 * `--failure-threshold -1` written as `--failure-threshold=-1`: parseArgs takes the dash for another
 * option and calls the value ambiguous, when the operator gave a number the command can then refuse in
 * its own words (must be above 0). Words after `--` are left alone.
 */
export function joinNegativeValues(argv: string[], options: ParseOptions): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (token === '--') return [...out, ...argv.slice(i)];
    const name = longName(token, options);
    const next = argv[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(token);
  }
  return out;
}

function optionOf(message: string, pattern: RegExp): string | undefined {
  return pattern.exec(message)?.[1];
}

/** The long form of an option as parseArgs named it ("-n, --limit <value>", "-n", "--limit"). */
function spelled(named: string, options: ParseOptions): string {
  const long = /--([^\s<]+)/.exec(named)?.[1];
  if (long !== undefined) return `--${long}`;
  const name = longName(named.trim(), options);
  return name === undefined ? named : `--${name}`;
}

/**
 * The option a mistyped one most likely meant: one it is part of or holds (`--dry` of --dry-run), else the
 * nearest within a third of its letters (at least two edits).
 */
function optionMeant(name: string, names: string[]): string | null {
  let best: string | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of names) {
    const contains = candidate.includes(name) || name.includes(candidate);
    const score = contains ? 0.5 : editDistance(name, candidate);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best !== null && bestScore <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

/** Options other job systems' command lines (and the runbooks written for them) use, and opsdeck's for each. */
const OTHER_SYSTEMS_OPTIONS: Readonly<Record<string, string>> = {
  store: 'db',
  database: 'db',
  'database-url': 'db',
  'db-url': 'db',
  dsn: 'db',
  config: 'registry',
  'registry-file': 'registry',
  services: 'registry',
};

/**
 * parseArgs's message in the command line's own words: Node's advice (put the word after `--`) is about
 * its parser, not about what the operator mistyped. The caller adds "see opsdeck COMMAND --help".
 */
export function usageMessage(error: unknown, options: ParseOptions): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = optionOf(message, /^Unknown option '([^']+)'/);
  if (unknown !== undefined) {
    const name = unknown.startsWith('--') ? (unknown.slice(2).split('=')[0] ?? '') : '';
    const ours = OTHER_SYSTEMS_OPTIONS[name];
    if (ours !== undefined && ours in options) return `unknown option ${unknown}: opsdeck's is --${ours}`;
    const guess = name ? optionMeant(name, Object.keys(options)) : null;
    return `unknown option ${unknown}${guess ? ` (did you mean --${guess}?)` : ''}`;
  }
  const missing = optionOf(message, /^Option '([^']+)' argument missing/) ?? optionOf(message, /^Option '([^']+)' argument is ambiguous/);
  if (missing !== undefined) return `${spelled(missing, options)} needs a value`;
  const noValue = optionOf(message, /^Option '([^']+)' does not take an argument/);
  if (noValue !== undefined) return `${spelled(noValue, options)} takes no value`;
  return message.replace(/\s*[\r\n]+\s*/g, ' ');
}
