import { z } from 'zod';
import { closest } from '../../shared/closestWord.ts';
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
  reset_timeout: 'recovery_timeout',
  task_type: 'service',
  job_type: 'service',
  service_name: 'service',
  ids: 'job_ids',
  task_ids: 'job_ids',
  dead_letter_ids: 'job_ids',
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
  if (theirs !== undefined && known.includes(theirs)) return `not a ${what}; opsdeck calls it ${theirs}`;
  const meant = closest(key, known);
  if (meant !== null && meant !== key) return `not a ${what}; did you mean ${meant}?`;
  if (known.length === 0) return `not a ${what}`;
  const listed = known.length > FIELDS_LISTED ? `${known.slice(0, FIELDS_LISTED).join(', ')}, …` : known.join(', ');
  return `not a ${what} (known: ${listed})`;
}

/**
 * A schema's issues as callers read them, each with its path. An unknown key is one issue of its own,
 * at its own path, named with the field it likely meant, and comes first: a misspelt field is also a
 * missing one, and the misspelling is what to fix.
 */
export function describedIssues(schema: z.core.$ZodType, error: z.ZodError): ApiIssue[] {
  const unknown: ApiIssue[] = [];
  const others: ApiIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = fieldsAt(schema, issue.path);
      for (const key of issue.keys) {
        const home = closest(key, known) === null ? fieldBelow(schema, issue.path, key) : null;
        const message = home === null ? unknownFieldMessage(key, known) : `not a field here: it goes in ${home.field} ({"${home.field}": {"${home.as}": …}})`;
        unknown.push({ path: issuePath([...issue.path, key]), message });
      }
    } else {
      others.push({ path: issuePath(issue.path), message: issue.message });
    }
  }
  return [...unknown, ...others];
}

/** The first issue, then how many more: one line for a log, a terminal or a REST client. */
export function issuesSummary(issues: readonly ApiIssue[]): string {
  const [first] = issues;
  const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid input';
  return `${summary}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`;
}
