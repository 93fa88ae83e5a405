import { z } from 'zod';
import { closest } from '../../shared/closestWord.ts';
import { jsonKind } from '../../shared/fields.ts';
import { valueAt } from '../config/locate.ts';
import type { ApiIssue } from './errors.ts';

/** Known fields listed when a wrong one is close to none: a short list helps, a long one buries the problem. */
const FIELDS_LISTED = 12;

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/** The schema under wrappers that do not change which keys an object takes (optional, default, a pipe's input). */
function unwrapped(schema: z.core.$ZodType): z.core.$ZodType {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) return unwrapped(schema.unwrap());
  if (schema instanceof z.ZodPipe) return unwrapped(schema.in);
  return schema;
}

/** The keys the object at `path` of `schema` takes; none when the schema says nothing there. */
export function fieldsAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const here = unwrapped(schema);
  if (here instanceof z.ZodUnion) return [...new Set(here.options.flatMap((option) => fieldsAt(option, path)))];
  const [head, ...rest] = path;
  if (head === undefined) return here instanceof z.ZodObject ? Object.keys(here.shape) : [];
  if (here instanceof z.ZodObject && typeof head === 'string') {
    const field: z.core.$ZodType | undefined = here.shape[head];
    return field ? fieldsAt(field, rest) : [];
  }
  if (here instanceof z.ZodArray && typeof head === 'number') return fieldsAt(here.element, rest);
  if (here instanceof z.ZodRecord) return fieldsAt(here.valueType, rest);
  return [];
}

/** The runbooks' names for fields opsdeck names otherwise, by the field it means where that field is taken. */
const OTHER_SYSTEMS_FIELDS: Readonly<Record<string, string>> = {
  task_type: 'service',
  job_type: 'service',
  service_name: 'service',
  ids: 'job_ids',
  task_ids: 'job_ids',
  dead_letter_ids: 'job_ids',
  // Runbook 001's test task ({"title": "Health check", …}): a job's only name is its identifier.
  title: 'identifier',
};

/** What a field named for another system's word differs in, said beside opsdeck's name for it. */
const FIELD_NOTES: Readonly<Record<string, string>> = {
  identifier: 'unique: sent again, the same identifier finds the job it made; leave it out for a new one each time',
};

/**
 * A key the object at `path` does not take but one of its fields' objects does (dlq retry's `search`,
 * which goes in its `selector`): the field it belongs under, or null.
 */
function fieldBelow(schema: z.core.$ZodType, path: readonly PropertyKey[], key: string): { field: string; as: string } | null {
  for (const field of fieldsAt(schema, path)) {
    const below = fieldsAt(schema, [...path, field]);
    const as = below.includes(key) ? key : OTHER_SYSTEMS_FIELDS[key];
    if (as !== undefined && below.includes(as)) return { field, as };
  }
  return null;
}

/**
 * Why a key is refused: it is no field of the input. With the field it most likely meant (`enable` for
 * `enabled`), or those there are, so the caller sees the mistake rather than the field it left missing.
 */
export function unknownFieldMessage(key: string, known: readonly string[], what: 'field' | 'parameter' = 'field'): string {
  const theirs = OTHER_SYSTEMS_FIELDS[key];
  if (theirs !== undefined && known.includes(theirs)) {
    const note = FIELD_NOTES[theirs];
    return `not a ${what}; opsdeck calls it ${theirs}${note === undefined ? '' : ` (${note})`}`;
  }
  const meant = closest(key, known);
  if (meant !== null && meant !== key) return `not a ${what}; did you mean ${meant}?`;
  if (known.length === 0) return `not a ${what}`;
  const listed = known.length > FIELDS_LISTED ? `${known.slice(0, FIELDS_LISTED).join(', ')}, …` : known.join(', ');
  return `not a ${what} (known: ${listed})`;
}

/** A field left out, as a predicate after its path: `service: required`. */
const REQUIRED = 'required';

/** What a value must be, as an issue of the wrong type says it: zod's type names, in the words of JSON. */
function expectedText(expected: string): string {
  if (expected === 'int') return 'a whole number';
  if (expected === 'boolean') return 'true or false';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** What was sent instead: by its kind, but a number where a whole one goes as itself (1.5), its kind being the one asked for. */
function sentText(expected: string, value: unknown): string {
  return expected === 'int' && typeof value === 'number' ? String(value) : jsonKind(value);
}

/**
 * An issue in the words REST and the console give it, a predicate following its path (`service: required`,
 * `priority: must be a whole number, not a string`), as `url: required: …` and `payload: must be a JSON
 * object …` are written: zod's own ("Invalid input: expected string, received undefined") name its types. A
 * schema's own message, written for people, is kept.
 */
function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  if (!issue.message.startsWith('Invalid input')) return issue.message;
  const value = valueAt(input, issue.path);
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) return REQUIRED;
  if (issue.code === 'invalid_type') return `must be ${expectedText(issue.expected)}, not ${sentText(issue.expected, value)}`;
  return issue.message.replace(/^Invalid input: /, '');
}

/**
 * A schema's issues as callers read them, each with its path, for `input` as it was sent. An unknown key is
 * one issue of its own, at its own path, named with the field it likely meant, and comes first: a misspelt
 * field is also a missing one, and the misspelling is what to fix. A key that goes inside a field left out
 * (`{"all": true}` for `{"selector": {"all": true}}`) is that one issue: its message says how to write both.
 */
export function describedIssues(schema: z.core.$ZodType, error: z.ZodError, input: unknown): ApiIssue[] {
  const unknown: ApiIssue[] = [];
  const others: ApiIssue[] = [];
  const housed = new Set<string>();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = fieldsAt(schema, issue.path);
      for (const key of issue.keys) {
        const home = closest(key, known) === null ? fieldBelow(schema, issue.path, key) : null;
        if (home !== null) housed.add(issuePath([...issue.path, home.field]));
        const message = home === null ? unknownFieldMessage(key, known) : `not a field here: it goes in ${home.field} ({"${home.field}": {"${home.as}": …}})`;
        unknown.push({ path: issuePath([...issue.path, key]), message });
      }
    } else {
      others.push({ path: issuePath(issue.path), message: issueMessage(issue, input) });
    }
  }
  return [...unknown, ...others.filter((issue) => !(issue.message === REQUIRED && housed.has(issue.path)))];
}

/** The first issue, then how many more: one line for a log, a terminal or a REST client. */
export function issuesSummary(issues: readonly ApiIssue[]): string {
  const [first] = issues;
  const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid input';
  return `${summary}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`;
}
