import type { z } from 'zod';

/** A filter the page read from its address and left out, and why: shown to the operator, never thrown. */
export interface DroppedParam {
  /** What the field is called on the page, e.g. "Error text". */
  label: string;
  why: string;
}

/** Why a value was refused, in the words of the field: the limit for a value too long, zod's message otherwise. */
export function issueText(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'too_big' && typeof value === 'string') {
    return `${value.length.toLocaleString()} characters, at most ${issue.maximum.toLocaleString()} are accepted`;
  }
  return issue.message;
}

/**
 * A free-text parameter, trimmed, checked against the schema of the call it feeds. An address is typed,
 * pasted and shared by hand: a value that call would refuse (too long, typically) is dropped with the
 * reason, so the page neither throws on it nor sends a call the host answers with an error.
 */
export function textParam(params: URLSearchParams, key: string, label: string, schema: z.ZodString): { value: string | undefined; dropped: DroppedParam | null } {
  const value = params.get(key)?.trim();
  if (!value) return { value: undefined, dropped: null };
  const checked = schema.safeParse(value);
  if (checked.success) return { value: checked.data, dropped: null };
  const first = checked.error.issues[0];
  return { value: undefined, dropped: { label, why: first ? issueText(first, value) : 'not accepted' } };
}
