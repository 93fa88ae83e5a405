import { z } from 'zod';
import { firstControlCharacter } from './controlCharacters.ts';

/** The small field schemas call inputs share (shared/contract.ts, shared/views.ts). */
export const Empty = z.object({}).strict();
export const reason = z.string().trim().max(500).optional();
export const cursor = z.string().max(100).nullable().optional();
export const limit = (max: number, dflt: number) => z.number().int().min(1).max(max).default(dflt);
/** A name, identifier or queue: no control characters, which a terminal would obey wherever it is shown. */
export const plainString = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((text, ctx) => {
      const found = firstControlCharacter(text);
      if (found) ctx.addIssue({ code: 'custom', message: `must not hold control characters: ${found.shown} at character ${found.at}` });
    });
export const name = plainString(200);

/** A value sent where an id or an identifier goes, in words: a number as itself (1.5), text by its length, anything else by its kind. */
function refSent(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value === '' ? 'empty text' : `text of ${value.length} characters`;
  return jsonKind(value);
}

/** Whatever is wrong with a reference, what one must be: zod's union says only "Invalid input". Left out, it is required. */
const refError = (issue: { input?: unknown }) =>
  issue.input === undefined ? undefined : `must be an id (a whole number above 0) or an identifier (text of 1 to 200 characters), not ${refSent(issue.input)}`;

/**
 * A job or a workflow run by its id or its identifier, as every command and endpoint takes one. Which a
 * text of digits names is the call's to decide: a job's, electron/api/jobReference.ts.
 */
export const idOrIdentifier = z.union([z.number().int().positive({ error: refError }), z.string().min(1, { error: refError }).max(200, { error: refError })], { error: refError });

/** What a JSON value is, in words: `a number`, `an array`, `null`. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * What a job or a workflow run is given: a JSON object. Every runner reads its payload by key (a shell or
 * Docker job's args, an HTTP job's path, query and body, a noop's sleep_ms), and the HTTP and noop runners
 * would drop anything else unread; a run's payload is laid over each task's.
 */
export const payloadObject = z.record(z.string(), z.json(), {
  error: (issue) => (issue.code === 'invalid_type' ? `must be a JSON object, such as {"date": "2026-12-04"}, not ${jsonKind(issue.input)}` : undefined),
});
