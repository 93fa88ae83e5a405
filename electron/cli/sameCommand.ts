import { shellWord } from '../../shared/shellWord.ts';
import { locationWithoutPasswords } from '../store/location.ts';
import type { Invocation } from './command.ts';

/**
 * The command line that runs `command` again as it was typed, with `change` applied (the next page's
 * cursor): what a "more:" line offers to paste. Only what was typed: defaults from the environment
 * (OPSDECK_DB) stay where they came from. A store URL's password is left out (the driver then reads
 * PGPASSWORD or ~/.pgpass), as on every other line opsdeck prints; `--key=value`, so a value that starts
 * with a dash stays the option's.
 */
export function sameCommand(inv: Invocation, command: string, change: Readonly<Record<string, string>>): string {
  const words = ['opsdeck', command, ...inv.positionals.map(shellWord)];
  for (const [key, value] of Object.entries({ ...inv.values, ...change })) {
    if (value === undefined || value === false || key === 'help') continue;
    if (value === true) words.push(`--${key}`);
    else words.push(`--${key}=${shellWord(key === 'db' ? locationWithoutPasswords(value) : value)}`);
  }
  return words.join(' ');
}
