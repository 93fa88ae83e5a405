import { hostname } from 'node:os';
import { pino, type DestinationStream, type Level, type Logger as Pino, type StreamEntry } from 'pino';
import { redactText } from '../config/redaction.ts';
import type { LogFields, Logger, LogLevel } from './logger.ts';
import { redactFields } from './secrets.ts';
import { terminalText } from './terminalText.ts';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Somewhere lines are written to: a stream, a file, a test's collector. */
export interface LineSink {
  write(line: string): unknown;
}

export interface LoggerOptions {
  level: LogLevel;
  /** text: one readable line each, for a terminal; json: one JSON object per line, for collectors. */
  format: LogFormat;
  /** Default: stdout. */
  destination?: LineSink;
  /** Colours in the text format (a terminal without NO_COLOR). */
  colorize?: boolean;
  /** Also JSON lines here, whatever the format (the desktop's rotating file), at the same level. */
  file?: LineSink;
  /** Values cut out of every line as it is written (LogSecrets), read per line so a reload applies. */
  secrets?: { readonly values: readonly string[] };
  /** Fields on every line: which program wrote it. */
  fields?: LogFields;
}

/** `--log-format`, checked. */
export function parseLogFormat(value: string): LogFormat {
  const format = value.trim().toLowerCase();
  if (format === 'text' || format === 'json') return format;
  throw new Error(`log format "${value}" is not one of ${LOG_FORMATS.join(', ')}`);
}

/**
 * The text format unless told otherwise on a terminal, JSON lines when stdout goes to a file, a pipe or
 * a supervisor's journal (where something parses them).
 */
export function defaultLogFormat(tty: boolean): LogFormat {
  return tty ? 'text' : 'json';
}

/**
 * The hosts' logger: pino writing synchronously (a line is on its way before the next statement, and
 * nothing is lost when a command exits), pino-pretty's formatter called on each line for the text format
 * (no worker thread, no transport: the Electron main process is one esbuild bundle). Secrets are cut twice: the value of a field
 * named like a secret, then every known secret value and URL password in the finished line, whatever
 * field or message carried it.
 */
export async function createLogger(opts: LoggerOptions): Promise<Logger> {
  const destination = opts.destination ?? process.stdout;
  const streams: StreamEntry<Level>[] = [];
  if (opts.format === 'text') {
    // Loaded only for the text format: a worker under a supervisor writes JSON and never needs it.
    const { prettyFactory } = await import('pino-pretty');
    const pretty: (line: string) => string = prettyFactory({
      colorize: opts.colorize ?? false,
      // With its offset: the same line's own fields (a retry's run_at) are UTC, and a fleet spans zones.
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.lp',
      // Who wrote the line matters in a fleet's collected JSON, not on the terminal of the one worker.
      ignore: 'pid,hostname,worker',
      singleLine: true,
      // Our `error` field is a message, not an Error object to print on lines of its own.
      errorLikeObjectKeys: ['err'],
    });
    streams.push({ level: opts.level, stream: { write: (line: string) => void destination.write(terminalText(pretty(line))) } });
  } else {
    streams.push({ level: opts.level, stream: sinkStream(destination) });
  }
  if (opts.file) streams.push({ level: opts.level, stream: sinkStream(opts.file) });
  const secrets = opts.secrets;
  const base = pino(
    {
      level: opts.level,
      base: { pid: process.pid, hostname: hostname(), ...opts.fields },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: opts.format === 'json' || opts.file ? { level: (label) => ({ level: label }) } : {},
      hooks: { streamWrite: (line) => redactText(line, secrets?.values ?? []) },
    },
    pino.multistream(streams),
  );
  return wrap(base);
}

/** A JSON line as it was, but with no raw C1 or bidi character for a terminal that shows the log to obey. */
function sinkStream(sink: LineSink): DestinationStream {
  return { write: (line: string) => void sink.write(terminalText(line)) };
}

function wrap(p: Pino): Logger {
  const at =
    (level: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      if (!p.isLevelEnabled(level)) return;
      if (fields) p[level](redactFields(fields), msg);
      else p[level](msg);
    };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    enabled: (level) => p.isLevelEnabled(level),
    child: (fields) => wrap(p.child(redactFields(fields))),
  };
}
