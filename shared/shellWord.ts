/** A word a POSIX shell reads back as it is: a command line opsdeck prints for pasting, its values quoted only where they must be. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
