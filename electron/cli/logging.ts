import type { Logger } from '../log/logger.ts';
import { parseLogLevel, type LogLevel } from '../log/logger.ts';
import type { LineSink, LogFormat } from '../log/pinoLogger.ts';
import { LogSecrets } from '../log/secrets.ts';
import { defaultDbLocation } from '../store/location.ts';
import { flag, str, UsageError, type OptionSpec } from './args.ts';
import type { Invocation } from './command.ts';

/** The options of the commands that keep running and log: worker, serve, api. */
export const LOG_OPTIONS: OptionSpec = {
  'log-level': { type: 'string', value: 'LEVEL', description: 'error, warn, info or debug (default $OPSDECK_LOG_LEVEL, else info); debug shows each job\'s life' },
  'log-format': { type: 'string', value: 'FORMAT', description: 'text or json (default $OPSDECK_LOG_FORMAT, else text on a terminal and JSON lines otherwise)' },
  verbose: { type: 'boolean', description: 'the same as --log-level debug' },
};

export interface HostLog {
  logger: Logger;
  /** The secret values the logger cuts out; createRuntime keeps them current with the registry. */
  secrets: LogSecrets;
}

/**
 * The logger of a long-running command, from its options and environment: level, format (text for a
 * terminal, JSON lines for a pipe, a file or a journal), and the secrets it must never write.
 */
export async function hostLogger(inv: Invocation, opts: { destination: LineSink; tty: boolean }): Promise<HostLog> {
  const { values, io } = inv;
  let level: LogLevel;
  let format: LogFormat;
  const { defaultLogFormat, parseLogFormat, createLogger } = await import('../log/pinoLogger.ts');
  try {
    level = flag(values, 'verbose') ? 'debug' : parseLogLevel(str(values, 'log-level') ?? io.env.OPSDECK_LOG_LEVEL);
    const named = str(values, 'log-format') ?? io.env.OPSDECK_LOG_FORMAT;
    format = named ? parseLogFormat(named) : defaultLogFormat(opts.tty);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const secrets = new LogSecrets(io.env, [inv.common.db ?? defaultDbLocation(io.env)]);
  const logger = await createLogger({ level, format, destination: opts.destination, colorize: opts.tty && io.env.NO_COLOR === undefined, secrets });
  return { logger, secrets };
}
