import { join } from 'node:path';
import { redactText, secretsNamed } from '../../config/redaction.ts';
import { LOG_FILE_NAME, logDirectory, logTailAt, OTHER_HOSTS_LOGS } from '../../log/logFile.ts';
import { followLog } from '../../log/logFollow.ts';
import { LOG_LEVELS, parseLogLevel, type LogLevel } from '../../log/logger.ts';
import { atLevel, LineBuffer } from '../../log/logLines.ts';
import { flag, int, positionals, str, UsageError } from '../args.ts';
import type { Command, Invocation } from '../command.ts';
import { printJson } from '../output.ts';

/** Enough bytes for the lines asked for at any plausible line length, without reading a 10 MB file. */
const BYTES_PER_LINE = 4096;

function levelOf(inv: Invocation): LogLevel | null {
  const text = str(inv.values, 'level');
  if (text === undefined) return null;
  try {
    return parseLogLevel(text);
  } catch (error) {
    throw new UsageError(`--level: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const levelText = (level: LogLevel | null) => (level === null ? '' : level === 'error' ? ' at error' : ` at ${level} or above`);

/**
 * Prints what is appended to the file until Ctrl-C (exit 0): `tail -F file | grep ERROR` as one command.
 * Lines go to stdout alone, for a pipe (`| jq`); what is followed and how it stops, to stderr.
 */
async function follow(inv: Invocation, file: string, level: LogLevel | null, from: { end: number; ino: number } | null, redact: (text: string) => string): Promise<number> {
  inv.io.err(`following ${file}${levelText(level)}${from === null ? ' (not there yet: waiting for it)' : ''}; Ctrl-C stops. The desktop app's log; ${OTHER_HOSTS_LOGS}`);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // A reader that went away (`| head -5`) ends the follow as Ctrl-C would.
  process.stdout.once('error', stop);
  const lines = new LineBuffer();
  try {
    await followLog({
      file,
      from,
      signal: controller.signal,
      onText: (text) => {
        for (const line of lines.push(text)) if (atLevel(line, level)) inv.io.out(redact(line));
      },
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.stdout.off('error', stop);
  }
  return 0;
}

export const logs: Command = {
  name: 'logs',
  storeless: true,
  summary: "the desktop app's log file: where it is, its last lines, --follow what comes, --level warn|error (a worker logs on its own stdout)",
  usage: '[--lines N] [--level LEVEL] [-f | --follow]',
  details: [
    'The desktop app writes JSON lines to logs/opsdeck.log in the data directory; this prints its path and its end.',
    '--follow (-f) then prints each line as it is written, across the file\'s rotation, until Ctrl-C; --level',
    'keeps the lines at that level or above (error, warn, info, debug): the runbook\'s `tail -f … | grep ERROR`',
    'is `opsdeck logs -f --level error`.',
    'A worker or opsdeck serve logs on its terminal, or wherever its supervisor sends it (journalctl for systemd):',
    'there, `journalctl -u opsdeck-worker -f -o cat | jq -c \'select(.level == "error")\'` (JSON lines when not a terminal).',
  ].join('\n'),
  options: {
    lines: { type: 'string', value: 'N', description: 'how many of the last lines (default 50; with --follow, 10)' },
    level: { type: 'string', value: 'LEVEL', description: `only lines at this level or above: ${LOG_LEVELS.join(', ')}` },
    follow: { type: 'boolean', short: 'f', description: 'keep printing lines as they are written, until Ctrl-C' },
  },
  async run(inv) {
    positionals(inv, []);
    const following = flag(inv.values, 'follow');
    const count = int(inv.values, 'lines', following ? 0 : 1, 10_000) ?? (following ? 10 : 50);
    const level = levelOf(inv);
    const file = join(logDirectory(inv.io.env), LOG_FILE_NAME);
    if (following && inv.common.json) throw new UsageError('--follow prints the log\'s own JSON lines as they come: leave out --json');
    // A filter keeps fewer of the lines read: read further back for them.
    const tail = await logTailAt(file, Math.max(1, count) * BYTES_PER_LINE * (level === null ? 1 : 8));
    // The logger cut secrets as it wrote; a file edited by hand, or written before a variable existed, is cut again.
    const secrets = secretsNamed(inv.io.env, [], inv.common.db ? [inv.common.db] : []);
    const redact = (text: string) => redactText(text, secrets);
    const kept = tail === null ? [] : redact(tail.text).split('\n').filter((line) => line !== '' && atLevel(line, level));
    const lines = count === 0 ? [] : kept.slice(-count);
    if (following) {
      for (const line of lines) inv.io.out(line);
      return follow(inv, file, level, tail === null ? null : { end: tail.end, ino: tail.ino }, redact);
    }
    if (inv.common.json) {
      printJson(inv.io, { file, exists: tail !== null, lines });
      return 0;
    }
    // Where the runbook says "check the logs first", a worker's logs are elsewhere: say where, every time.
    if (tail === null) {
      inv.io.out(`no log file at ${file}: the desktop app writes it once it has run on this machine; ${OTHER_HOSTS_LOGS}`);
      return 0;
    }
    inv.io.out(`${file} (last ${lines.length} line(s)${levelText(level)}):`);
    for (const line of lines) inv.io.out(line);
    inv.io.out(`\nthe desktop app's log; ${OTHER_HOSTS_LOGS}`);
    return 0;
  },
};
