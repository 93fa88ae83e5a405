import { hidden, hiddenBare } from './cutValue.ts';

/**
 * Options whose value is a secret for one program and something else for most: a MySQL client's `-p` is
 * its password (`-phunter2`, `-p hunter2`) where psql's, ssh's and docker's is a port, and curl's `-u`
 * (`--user`, and `-U`/`--proxy-user` for its proxy) is `user:password` where docker's is `uid:gid`. So
 * they are read as secret only after the program's name, in an argv or on a line of text, and at the end
 * of a group of short options as the program reads one (`-ku ops:pw`, `-vphunter2`). Pure.
 */
export type Program = 'mysql' | 'curl';

/**
 * What may open a command quoted in text before its program's name: a quote or backtick (`exec: "curl …"`),
 * a command substitution or a subshell (`$(curl …)`), that one maybe assigned (`out=$(curl …)`).
 */
const QUOTED_START = /^(?:[\w.-]{1,100}=(?=["'`(]|\$\())?(?:["'`(]|\$\()+/;

/** The program a word names, its folder and what quotes it aside: `mysql`, `/usr/bin/mysqldump`, `"curl`. */
export function programOf(word: unknown): Program | null {
  if (typeof word !== 'string') return null;
  const bare = word.replace(QUOTED_START, '');
  const base = bare.slice(bare.lastIndexOf('/') + 1).toLowerCase();
  if (/^(?:mysql|mariadb)[\w-]{0,40}$/.test(base)) return 'mysql';
  return base === 'curl' ? 'curl' : null;
}

/** The program the words after an argv go to: the last one it names (`['mysqldump', '--all']` → mysql). */
export function programAfter(argv: readonly unknown[]): Program | null {
  let program: Program | null = null;
  for (const word of argv) program = programOf(word) ?? program;
  return program;
}

/** `user:password` with the password hidden; a user alone (curl then asks for the password) stays. */
function passwordAfterUser(value: string): string {
  const colon = value.indexOf(':');
  return colon < 0 ? value : `${value.slice(0, colon + 1)}${hiddenBare(value.slice(colon + 1))}`;
}

type Cut = (value: string) => string;

/**
 * How each program reads a group of short options (`-ku`, `-fsSLu`, `-vphunter2`): letter by letter, each a
 * switch until one that takes a value, which takes the rest of the group or, when none is left, the next
 * word. `secret` are the letters whose value is a secret, cut by `joined` in the group and by `next` as the
 * next word; `valued` the other letters that take a value, after which the rest is theirs (`-hprod-db` is a
 * MySQL host, `-Hpragma:x` a curl header).
 */
interface ShortOptions {
  secret: string;
  valued: string;
  joined: Cut;
  next: Cut;
}

const SHORT: Record<Program, ShortOptions> = {
  mysql: { secret: 'p', valued: 'uhPDeS', joined: hiddenBare, next: hidden },
  curl: { secret: 'uU', valued: 'AbcCdDeEFHKmoPQrtTwxXyYz', joined: passwordAfterUser, next: passwordAfterUser },
};

/** A character a group of short options may hold: a letter, or one of curl's `-0`…`-6` and `-#`. */
const SWITCH = /^[A-Za-z0-9#]$/;

/** A group of short options of `program` with a secret's joined value cut, and how to cut the next word when the secret takes it. */
function cutShortGroup(program: Program, word: string): { word: string; next: Cut | null } {
  const { secret, valued, joined, next } = SHORT[program];
  for (let at = 1; at < word.length; at += 1) {
    const letter = word.charAt(at);
    if (!SWITCH.test(letter) || valued.includes(letter)) break;
    if (!secret.includes(letter)) continue;
    const value = word.slice(at + 1);
    if (value === '') return { word, next };
    return { word: `${word.slice(0, at + 1)}${joined(value)}`, next: null };
  }
  return { word, next: null };
}

const CURL_USER = new Set(['--user', '--proxy-user']);

/** An option of `program` with its own value cut, and how to cut the word after it when it takes that one. */
function cutOption(program: Program, word: string): { word: string; next: Cut | null } {
  if (/^-[^-]/.test(word)) return cutShortGroup(program, word);
  if (program === 'mysql') return { word, next: null };
  if (CURL_USER.has(word)) return { word, next: passwordAfterUser };
  const joined = /^(--(?:proxy-)?user=)(.+)$/.exec(word);
  return { word: joined?.[1] !== undefined && joined[2] !== undefined ? `${joined[1]}${passwordAfterUser(joined[2])}` : word, next: null };
}

/**
 * An argv, or the words of one command of a line (commandLine.ts), with what these programs' options hide cut, from where `program` is in
 * force (given, or from its name among the words) on. A word starting with `-` after `-p` or `-u` is the
 * next option, not their value.
 */
export function cutProgramArgs(words: readonly unknown[], program: Program | null): unknown[] {
  let current = program;
  let next: Cut | null = null;
  return words.map((word) => {
    const cut = next;
    next = null;
    if (typeof word !== 'string') return word;
    const named = programOf(word);
    if (named !== null) {
      current = named;
      return word;
    }
    if (cut !== null && !word.startsWith('-')) return cut(word);
    if (current === null) return word;
    const option = cutOption(current, word);
    next = option.next;
    return option.word;
  });
}
