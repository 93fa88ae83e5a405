import { hidden, hiddenBare } from './cutValue.ts';

/**
 * Options whose value is a secret for one program and something else for most: a MySQL client's `-p` is
 * its password (`-phunter2`, `-p hunter2`) where psql's, ssh's and docker's is a port, and curl's `-u`
 * (`--user`, and `-U`/`--proxy-user` for its proxy) is `user:password` where docker's is `uid:gid`. So
 * they are read as secret only after the program's name, in an argv or on a line of text. Pure.
 */
export type Program = 'mysql' | 'curl';

/** The program a word names, its folder aside: `mysql`, `/usr/bin/mysqldump`, `mariadb-dump`, `curl`. */
export function programOf(word: unknown): Program | null {
  if (typeof word !== 'string') return null;
  const base = word.slice(word.lastIndexOf('/') + 1).toLowerCase();
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

const CURL_USER = new Set(['-u', '--user', '-U', '--proxy-user']);

/** An option of `program` with its own value cut, and how to cut the word after it when it takes that one. */
function cutOption(program: Program, word: string): { word: string; next: Cut | null } {
  if (program === 'mysql') {
    if (word === '-p') return { word, next: hidden };
    return { word: word.startsWith('-p') ? `-p${hiddenBare(word.slice(2))}` : word, next: null };
  }
  if (CURL_USER.has(word)) return { word, next: passwordAfterUser };
  const joined = /^(--(?:proxy-)?user=|-[uU])(.+)$/.exec(word);
  return { word: joined?.[1] !== undefined && joined[2] !== undefined ? `${joined[1]}${passwordAfterUser(joined[2])}` : word, next: null };
}

/**
 * An argv, or a line's words, with what these programs' options hide cut, from where `program` is in
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
