import { holdsTime } from './timesInText.ts';

/**
 * A word a POSIX shell reads back as it is: a command line opsdeck prints for pasting, its values quoted only
 * where they must be, and wherever a time is in them: the CLI and the console write the times in a text in
 * the reader's zone, all but those inside a quoted word (timesInText.ts), and a path holding one must stay
 * the path.
 */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) && !holdsTime(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
