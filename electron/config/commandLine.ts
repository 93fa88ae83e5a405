import { cutProgramArgs, programOf } from './programArgs.ts';

/**
 * A line of text read as shell commands, for cutting what a MySQL client's or curl's options hide
 * (programArgs.ts) in each command only: `mysql -e x && mkdir -p /srv/out` ends the client's command at
 * `&&`, so mkdir's `-p` is no password. Only text is read so: in an argv a `;` is a word the program is
 * given, never the end of its command. Pure.
 */

/** Quote characters, each of which opens, or closes the innermost one like it, a quoted part of the line. */
const QUOTES = '"\'`';
/** The characters that end a command when they end a word: `;`, `|`, `||`, `&`, `&&`. */
const SEPARATORS = ';|&';

/**
 * Where a word leaves the quotes open before it (`open`, innermost last, changed in place): how few were
 * open anywhere in it, and how long the run of separators ending it is (0 for none). Quotes are counted as
 * text shows them, nested either way (`"sh -c 'x'"`), an escaped one (`\"` in JSON) apart from a bare one:
 * a quote miscounted keeps a command going, which cuts more rather than less.
 */
function scanWord(word: string, open: string[]): { fewest: number; separators: number } {
  let fewest = open.length;
  for (let at = 0; at < word.length; at += 1) {
    let quote = word.charAt(at);
    if (quote === '\\' && QUOTES.includes(word.charAt(at + 1))) {
      // An escaped quote is a quote of its own kind, one level in: `"mysql -e \"a; b\" -p…"` in JSON.
      at += 1;
      quote += word.charAt(at);
    } else if (!QUOTES.includes(quote)) continue;
    if (open.at(-1) === quote) open.pop();
    else open.push(quote);
    fewest = Math.min(fewest, open.length);
  }
  // Scanned back by hand: a pattern anchored at the end would be tried from every separator of a long run.
  let start = word.length;
  while (start > 0 && SEPARATORS.includes(word.charAt(start - 1))) start -= 1;
  // `>&` and `<&` are redirections (`cmd >& log`), not the end of a command.
  const redirect = start > 0 && word.charAt(start) === '&' && '<>'.includes(word.charAt(start - 1));
  return { fewest, separators: redirect ? 0 : word.length - start };
}

/**
 * A line's words with the secrets of each command's program cut. A command ends at a separator outside
 * any quote opened after its program was named (`mysql -e "select 1; select 2" -phunter2` is one command;
 * `sh -c "mysql -e x && mkdir -p /y"` is two), and where the quote its program was named in closes; a
 * program named after a quote the text left open (`can't connect: mysql …`) runs to the end of the line. A
 * separator ending a word is the shell's, not the word's: `-phunter2;` is cut to `-p[redacted];`.
 * Linear in the line: each character is looked at once or twice.
 */
export function cutCommandLine(words: readonly string[]): string[] {
  const out: string[] = [];
  const open: string[] = [];
  let command: string[] = [];
  // How many quotes were open where the command's program was named; null until one is, and while the
  // command runs to the end of the line.
  let programDepth: number | null = null;
  const flush = (): void => {
    for (const word of cutProgramArgs(command, null)) out.push(String(word));
    command = [];
    programDepth = null;
  };
  for (const word of words) {
    const openBefore = open.length;
    const { fewest, separators } = scanWord(word, open);
    if (programOf(word) !== null) {
      command.push(word);
      // A quote open before the program's own word is the text's (an apostrophe, `3.5"`), not one the
      // command is in: counted, it would end the command early and leave its secrets, so such a command
      // runs to the end of the line, as one in no quote at all would without a separator.
      programDepth = openBefore === 0 ? open.length : null;
      continue;
    }
    const ends = programDepth !== null && (fewest < programDepth || (separators > 0 && open.length <= programDepth));
    if (!ends || separators === 0) {
      command.push(word);
      if (ends) flush();
      continue;
    }
    command.push(word.slice(0, word.length - separators));
    flush();
    out.push(`${out.pop() ?? ''}${word.slice(word.length - separators)}`);
  }
  flush();
  return out;
}
