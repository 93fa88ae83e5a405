import { join } from 'node:path';
import { redactText, secretsNamed } from '../../config/redaction.ts';
import { LOG_FILE_NAME, logDirectory, logTail, OTHER_HOSTS_LOGS } from '../../log/logFile.ts';
import { int, positionals } from '../args.ts';
import type { Command } from '../command.ts';
import { printJson } from '../output.ts';

/** Enough bytes for the lines asked for at any plausible line length, without reading a 10 MB file. */
const BYTES_PER_LINE = 4096;

export const logs: Command = {
  name: 'logs',
  storeless: true,
  summary: "where the desktop app's log file is, and its last lines (a worker logs on its own stdout)",
  usage: '[--lines N]',
  details: [
    'The desktop app writes JSON lines to logs/opsdeck.log in the data directory; this prints its path and its end.',
    'A worker or opsdeck serve logs on its terminal, or wherever its supervisor sends it (journalctl for systemd).',
  ].join('\n'),
  options: { lines: { type: 'string', value: 'N', description: 'how many of the last lines (default 50)' } },
  async run(inv) {
    positionals(inv, []);
    const count = int(inv.values, 'lines', 1, 10_000) ?? 50;
    const file = join(logDirectory(inv.io.env), LOG_FILE_NAME);
    const tail = await logTail(logDirectory(inv.io.env), count * BYTES_PER_LINE);
    // The logger cut secrets as it wrote; a file edited by hand, or written before a variable existed, is cut again.
    const secrets = secretsNamed(inv.io.env, [], inv.common.db ? [inv.common.db] : []);
    const lines = tail === null ? [] : redactText(tail, secrets).split('\n').filter((line) => line !== '').slice(-count);
    if (inv.common.json) {
      printJson(inv.io, { file, exists: tail !== null, lines });
      return 0;
    }
    // Where the runbook says "check the logs first", a worker's logs are elsewhere: say where, every time.
    if (tail === null) {
      inv.io.out(`no log file at ${file}: the desktop app writes it once it has run on this machine; ${OTHER_HOSTS_LOGS}`);
      return 0;
    }
    inv.io.out(`${file} (last ${lines.length} line(s)):`);
    for (const line of lines) inv.io.out(line);
    inv.io.out(`\nthe desktop app's log; ${OTHER_HOSTS_LOGS}`);
    return 0;
  },
};
