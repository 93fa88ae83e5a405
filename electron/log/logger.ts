/**
 * The one logging interface of opsdeck. The engine and the hosts write through it; `pinoLogger.ts` is
 * what the hosts plug in (levels, text or JSON lines, secrets cut out), tests and benchmarks use
 * `lineLogger` or `silentLogger`.
 */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Context of one line: job id, service, error, ... A key named like a secret is redacted. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  /** Whether a line at this level would be written: lets a hot path skip building its fields. */
  enabled(level: LogLevel): boolean;
  /** A logger whose every line carries these fields too. */
  child(fields: LogFields): Logger;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** `--log-level` or OPSDECK_LOG_LEVEL, checked; a wrong word names the right ones. */
export function parseLogLevel(value: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  if (value === undefined || value === '') return fallback;
  const level = value.trim().toLowerCase();
  if (!isLogLevel(level)) throw new Error(`log level "${value}" is not one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Whether a line at `level` passes a logger set to `threshold`. */
export function passes(level: LogLevel, threshold: LogLevel): boolean {
  return RANK[level] <= RANK[threshold];
}

export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  enabled: () => false,
  child: () => silentLogger,
};

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (value instanceof Error) return JSON.stringify(value.message);
  return JSON.stringify(value) ?? String(value);
}

/** `msg key=value …`, the shape of a text line without its time and level. */
export function formatLine(msg: string, fields: LogFields | undefined): string {
  if (!fields) return msg;
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${fieldText(v)}`);
  return parts.length > 0 ? `${msg} ${parts.join(' ')}` : msg;
}

/**
 * A logger that hands each line, as `level msg key=value …`, to a function: for tests that collect
 * lines and for benchmarks that print them. No redaction: give it only what a test controls.
 */
export function lineLogger(write: (line: string) => void, threshold: LogLevel = 'debug', bound: LogFields = {}): Logger {
  const at =
    (level: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      if (passes(level, threshold)) write(`${level} ${formatLine(msg, { ...bound, ...fields })}`);
    };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    enabled: (level) => passes(level, threshold),
    child: (fields) => lineLogger(write, threshold, { ...bound, ...fields }),
  };
}
