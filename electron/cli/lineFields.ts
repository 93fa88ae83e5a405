import { z } from 'zod';

/**
 * What each field of an `enqueue --from` line takes, in the words `--priority` and `--run-at` use, for a
 * value of the wrong type or out of bounds. The payload's own schema words its refusal already, and so
 * does a refinement (a control character in a queue's name): their messages are kept.
 */
const TAKES: Readonly<Record<string, string>> = {
  priority: 'a whole number from -1000 to 1000 (higher runs first)',
  run_at: 'an ISO time with its zone, such as 2026-12-04T09:00:00Z',
  queue: 'a queue name: text of 1 to 100 characters',
  identifier: 'text of 1 to 200 characters',
};

/** The issues that say a value is of the wrong type or size: zod's words for them name its own types. */
const SHAPE_CODES: ReadonlySet<string> = new Set(['invalid_type', 'too_small', 'too_big', 'invalid_format', 'not_multiple_of']);

const SHOWN_CHARS = 40;

/**
 * The value as it was written in the line, cut short: the operator finds it by sight. A number past what
 * JSON.parse can hold (1e400) came back infinite, which JSON writes as null: said in words instead.
 */
function shown(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'a number too large';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS - 1)}…` : text;
}

function reworded(issue: z.core.$ZodIssue, line: unknown): z.core.$ZodIssue {
  const [field, ...below] = issue.path;
  if (typeof field !== 'string' || below.length > 0 || !SHAPE_CODES.has(issue.code) || typeof line !== 'object' || line === null) return issue;
  const takes = TAKES[field];
  if (takes === undefined) return issue;
  const value: unknown = Reflect.get(line, field);
  return { ...issue, message: `must be ${takes}, not ${shown(value)}` };
}

/** What a line that is JSON but no object is, as an operator would say it: `an array`, `null`, `a string`. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  return typeof value === 'boolean' ? `${String(value)}` : typeof value;
}

/** Why a parsed line is not one a job is made from, before its fields are read; null for an object. */
export function notAnObject(line: unknown): string | null {
  if (typeof line === 'object' && line !== null && !Array.isArray(line)) return null;
  return `a line must be a JSON object such as {"payload": {…}}, not ${kindOf(line)}`;
}

/**
 * A --from line's schema error with each wrong-typed field said as what it takes and what was written
 * (`priority: must be a whole number from -1000 to 1000 …, not "high"`), once per field.
 */
export function lineIssues(error: z.ZodError, line: unknown): z.ZodError {
  const seen = new Set<string>();
  const issues = error.issues.map((issue) => reworded(issue, line)).filter((issue) => {
    const key = `${issue.path.join('.')}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return new z.ZodError(issues);
}
