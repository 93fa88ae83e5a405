import type { Invocation } from './command.ts';

/**
 * The command line that runs `command` again as it was typed, with `change` applied (the next page's
 * cursor): what a "more:" line offers to paste. Only what was typed: defaults from the environment
 * (OPSDECK_DB) stay where they came from.
 */
export function sameCommand(inv: Invocation, command: string, change: Readonly<Record<string, string>>): string {
  const words = ['opsdeck', command, ...inv.positionals.map(shellWord)];
  for (const [key, value] of Object.entries({ ...inv.values, ...change })) {
    if (value === undefined || value === false || key === 'help') continue;
    words.push(`--${key}`);
    if (typeof value === 'string') words.push(shellWord(value));
  }
  return words.join(' ');
}

/** A word a POSIX shell reads back as it is. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
