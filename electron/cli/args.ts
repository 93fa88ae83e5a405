import { parseArgs } from 'node:util';
import { parseDuration, windowText } from '../../shared/duration.ts';
import { readPastTime, readTime } from '../../shared/pastTime.ts';
import { joinNegativeValues, usageMessage, type ParseOptions } from './argProblems.ts';

/** Wrong use of the command line: exit code 2, one line, and a pointer to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; description: string; value?: string }>;

export interface CommonOptions {
  db: string | undefined;
  registry: string | undefined;
  json: boolean;
  /** Times in UTC instead of the local zone. */
  utc: boolean;
  help: boolean;
}

export const COMMON_OPTIONS: OptionSpec = {
  db: { type: 'string', value: 'URL', description: 'store: a SQLite file or sqlite:/postgres:// URL (default $OPSDECK_DB, else the per-user opsdeck.db)' },
  registry: { type: 'string', value: 'FILE', description: 'service registry YAML (default $OPSDECK_REGISTRY)' },
  json: { type: 'boolean', description: 'print JSON for scripts' },
  utc: { type: 'boolean', description: 'show times in UTC (default: local time with its offset, from TZ)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export type Values = Record<string, string | boolean | undefined>;

export interface ParsedArgs {
  common: CommonOptions;
  values: Values;
  positionals: string[];
}

function flatten(raw: Record<string, string | boolean | Array<string | boolean> | undefined>): Values {
  const out: Values = {};
  for (const [key, value] of Object.entries(raw)) out[key] = Array.isArray(value) ? value[value.length - 1] : value;
  return out;
}

/** Parses one command's arguments: its own options plus the common ones, environment defaults applied. */
export function parseCommandArgs(argv: string[], spec: OptionSpec, env: Record<string, string | undefined>): ParsedArgs {
  const options: ParseOptions = {};
  for (const [name, o] of Object.entries({ ...COMMON_OPTIONS, ...spec })) options[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(usageMessage(error, options));
  }
  const values = flatten(parsed.values);
  const text = (key: string) => (typeof values[key] === 'string' ? values[key] : undefined);
  return {
    common: {
      db: text('db') ?? (env.OPSDECK_DB || undefined),
      registry: text('registry') ?? (env.OPSDECK_REGISTRY || undefined),
      json: values.json === true,
      utc: values.utc === true,
      help: values.help === true,
    },
    values,
    positionals: parsed.positionals,
  };
}

export function str(values: Values, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

export function flag(values: Values, key: string): boolean {
  return values[key] === true;
}

export function int(values: Values, key: string, min: number, max: number): number | undefined {
  const text = str(values, key);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`--${key} takes a whole number, not "${text}"`);
  const n = Number(text);
  if (n < min) throw new UsageError(`--${key} must be a whole number ${min === 1 ? 'above 0' : `of ${min} or more`}, not "${text}"`);
  if (n > max) throw new UsageError(`--${key} must be at most ${max}, not "${text}"`);
  return n;
}

/** An ISO time (a bare date is its midnight UTC) as ISO-8601; a day no calendar has is refused, as Date.parse would roll it over. */
export function isoTime(values: Values, key: string): string | undefined {
  const text = str(values, key);
  if (text === undefined) return undefined;
  const read = readTime(text);
  if (read.kind === 'refused') throw new UsageError(`--${key}: ${read.problem}`);
  if (read.kind === 'other') throw new UsageError(`--${key} takes an ISO time like 2026-01-31T12:00:00Z, not "${text}"`);
  return read.iso;
}

/** A time in the past: an ISO time, or a duration meaning that long ago (`1h`, as the runbooks' interval '1 hour'). */
export function pastTime(values: Values, key: string): string | undefined {
  const text = str(values, key);
  if (text === undefined) return undefined;
  const read = readPastTime(text, Date.now());
  if (read.kind === 'refused') throw new UsageError(`--${key}: ${read.problem}`);
  if (read.kind === 'other') throw new UsageError(`--${key} takes an ISO time like 2026-01-31T12:00:00Z or a duration ago like 1h or 7d, not "${text}"`);
  return read.iso;
}

export function list(values: Values, key: string): string[] | undefined {
  const text = str(values, key);
  if (text === undefined) return undefined;
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`--${key} takes a comma-separated list`);
  return items;
}

export function ids(values: Values, key: string): number[] | undefined {
  const items = list(values, key);
  if (!items) return undefined;
  return items.map((item) => {
    if (!/^\d+$/.test(item) || Number(item) < 1) throw new UsageError(`--${key} takes job ids like 1,2,3; "${item}" is not one`);
    return Number(item);
  });
}

/** A bare `list` subcommand, typed or implied by typing none: nothing may follow it. */
export function listOnly(args: ParsedArgs): void {
  positionals(args, args.positionals.length === 0 ? [] : ['list']);
}

/** Exactly `count` positionals, named for the error message. */
export function positionals(args: ParsedArgs, names: string[]): string[] {
  if (args.positionals.length < names.length) throw new UsageError(`missing ${names.slice(args.positionals.length).join(' ')}`);
  if (args.positionals.length > names.length) throw new UsageError(`unexpected argument "${args.positionals[names.length]}"`);
  return args.positionals;
}

/**
 * A window given as a duration (--since 15m, 1h, 24h), in whole minutes, as the rollups count by the
 * minute: 90s is two of them. From one minute to `maxMinutes` when the command has a bound of its own (a
 * call may have one that only the store's settings know); `fallback` when not given.
 */
export function windowMinutes(values: Values, key: string, fallback: string, maxMinutes?: number): number {
  const text = str(values, key) ?? fallback;
  const seconds = parseDuration(text);
  const minutes = seconds === null || seconds < 60 ? null : Math.ceil(seconds / 60);
  if (minutes === null || (maxMinutes !== undefined && minutes > maxMinutes)) {
    const range = maxMinutes === undefined ? 'of 1m or more, like 15m, 1h or 7d' : `from 1m to ${windowText(maxMinutes)}, like 15m, 1h or 24h`;
    throw new UsageError(`--${key} takes a duration ${range}, not "${text}"`);
  }
  return minutes;
}
