import type { z } from 'zod';
import { calls, type ApiError, type CallName } from '../../shared/contract.ts';
import { valueAt } from '../config/locate.ts';

/**
 * A call's input as the command line names it. The contract's messages name the call and the input's
 * path (`invalid input for jobs.list: filter.search: Too big: …`), which is right for REST and the
 * console but means nothing to whoever typed `opsdeck jobs --search …`: here the same problem names the
 * option (`--search is too long: at most 500 characters`) or the argument (`JOB must not be empty`).
 */

/** The inputs a command takes as an argument, by the names its usage line gives them. */
const ARGUMENTS: Partial<Record<CallName, Record<string, string>>> = {
  'jobs.get': { id: 'JOB' },
  'jobs.retry': { id: 'JOB' },
  'jobs.cancel': { id: 'JOB' },
  'jobs.fail': { id: 'JOB' },
  'jobs.enqueue': { service: 'SERVICE' },
  'jobs.enqueueMany': { service: 'SERVICE' },
  'breakers.tune': { service: 'SERVICE' },
  'breakers.setMode': { service: 'SERVICE' },
  'control.pauseQueue': { queue: 'QUEUE' },
  'schedules.add': { name: 'NAME' },
  'schedules.get': { name: 'NAME' },
  'schedules.fires': { name: 'NAME' },
  'schedules.remove': { name: 'NAME' },
  'schedules.pause': { name: 'NAME' },
  'schedules.resume': { name: 'NAME' },
  'schedules.runNow': { name: 'NAME' },
  'workflows.run': { workflow: 'NAME' },
  'workflows.show': { run: 'RUN' },
  'workflows.retry': { run: 'RUN' },
  'workflows.cancel': { run: 'RUN' },
  'apiKeys.revoke': { name: 'NAME' },
  'alerts.ack': { rule: 'RULE' },
  'alerts.silence': { rule: 'RULE' },
  'alerts.deleteRule': { name: 'NAME' },
  'workers.forget': { id: 'ID' },
};

/** Inputs read from a file the operator wrote: named by their key in it, as the file spells it. */
const FROM_FILE: Partial<Record<CallName, string>> = { 'alerts.saveRule': 'rule' };

/** Input fields whose option is spelled otherwise; every other field is its option in kebab case. */
const OPTION_OF: Record<string, string> = {
  execution_type: '--type',
  created_after: '--since',
  started_before: '--running-longer-than',
  error_class: '--class',
  job_ids: '--ids',
  expires_in_days: '--expires',
  minutes: '--for',
  since_minutes: '--since',
};

/** Inputs that are one JSON option: a problem inside is the option's. */
const JSON_OPTIONS = new Set(['payload']);

function keysOf(path: readonly PropertyKey[]): string[] {
  return path.filter((k): k is string => typeof k === 'string');
}

/** How the command line names the input at `path`; null when its path is the name (a file's own keys). */
function nameOf(call: CallName, keys: string[]): string | null {
  const [first] = keys;
  const last = keys[keys.length - 1];
  if (first === undefined || last === undefined) return null;
  if (FROM_FILE[call] === first) return keys.length > 1 ? keys.slice(1).join('.') : null;
  const argument = keys.length === 1 ? ARGUMENTS[call]?.[first] : undefined;
  if (argument !== undefined) return argument;
  if (JSON_OPTIONS.has(first)) return `--${first}`;
  return OPTION_OF[last] ?? `--${last.replace(/_/g, '-')}`;
}

/** How the command line gives one input field of `call`: `--force`, `--reason TEXT`, the argument `JOB`. */
export function optionOf(call: CallName, field: string): string {
  return nameOf(call, [field]) ?? field;
}

function count(n: number | bigint, one: string): string {
  return `${n} ${one}${Number(n) === 1 ? '' : 's'}`;
}

/** What is wrong, in words that follow the option's name; null for the schema's own message. */
function words(issue: z.core.$ZodIssue, input: unknown): string | null {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `is too short: at least ${count(issue.minimum, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `needs at least ${count(issue.minimum, 'item')}`;
      return issue.inclusive === false ? `must be above ${issue.minimum}` : `must be ${issue.minimum} or more`;
    case 'too_big':
      if (issue.origin === 'string') return `is too long: at most ${count(issue.maximum, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `takes at most ${count(issue.maximum, 'item')}`;
      return issue.inclusive === false ? `must be below ${issue.maximum}` : `must be at most ${issue.maximum}`;
    case 'invalid_value':
      return `takes ${issue.values.map(String).join(', ')}`;
    case 'invalid_type':
      return valueAt(input, issue.path) === undefined ? 'is missing' : `must be ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}`;
    default:
      // Refinements and formats carry messages written for people ("'Berlin' is not a time zone: did you mean Europe/Berlin?").
      return null;
  }
}

/** `--search is too long…` in our words; `--timezone: 'Berlin' is not a time zone…` in the schema's. */
function described(call: CallName, path: readonly PropertyKey[], ours: string | null, theirs: string): string {
  const name = nameOf(call, keysOf(path));
  if (name === null) return ours ?? theirs;
  return ours === null ? `${name}: ${theirs}` : `${name} ${ours}`;
}

/** A path as dispatch writes it (`filter.status[0]`), back to its keys. */
function pathKeys(text: string): string[] {
  return text.split(/[.[\]]+/).filter((k) => k !== '' && !/^\d+$/.test(k));
}

/** An invalid_input failure of `call`, given `input`, in the command line's words. */
export function inputProblem(call: CallName, input: unknown, error: ApiError): string {
  const parsed = calls[call].input.safeParse(input ?? {});
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues;
    if (first !== undefined) return `${described(call, first.path, words(first, input), first.message)}${rest.length > 0 ? ` (and ${rest.length} more)` : ''}`;
  }
  // Refused past the schema (text no store can keep, a handler's own check): its message, minus the call's name.
  const prefix = `invalid input for ${call}: `;
  if (!error.message.startsWith(prefix)) return error.message;
  const issue = error.issues?.[0];
  return issue && issue.path !== '' ? described(call, pathKeys(issue.path), null, issue.message) : error.message.slice(prefix.length);
}
