import type { ApiError, ApiErrorCode } from '../../../shared/contract.ts';
import { isInvalidInputMessage } from '../../../shared/invalidInput.ts';

type Issue = NonNullable<ApiError['issues']>[number];

/** A failed call as the UI sees it: the contract's error code and a message fit to show an operator. */
export class CallError extends Error {
  readonly code: ApiErrorCode;
  readonly issues: ApiError['issues'];
  /** For unavailable: what an operator must do first, when the store will not come back by itself. */
  readonly action: string | undefined;
  /** The call that failed, when the host answered it; the console never shows this name. */
  readonly call: string | undefined;

  constructor(error: ApiError, call?: string) {
    super(error.message);
    this.name = 'CallError';
    this.code = error.code;
    this.issues = error.issues;
    this.action = error.action;
    this.call = call;
  }
}

/** Issues listed in a message at most; the rest are counted. */
const MAX_ISSUES = 3;

function issueLine(issue: Issue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

function issueList(issues: readonly Issue[]): string {
  const shown = issues.slice(0, MAX_ISSUES).map(issueLine).join('; ');
  return issues.length > MAX_ISSUES ? `${shown}; and ${issues.length - MAX_ISSUES} more` : shown;
}

/**
 * One line for an operator. An input the contract refused reads as its problems, each with its field
 * ("cron: minute '61' is not a minute (0..59)"): the host's own message for it names the internal call and
 * repeats the first problem, so showing both said everything twice. Any other message is kept, with the
 * issues it does not already say.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof CallError) {
    const issues = error.issues ?? [];
    if (error.code === 'invalid_input' && error.call !== undefined && issues.length > 0 && isInvalidInputMessage(error.call, error.message)) {
      return issueList(issues);
    }
    const unsaid = issues.filter((issue) => !error.message.includes(issue.message));
    return unsaid.length > 0 ? `${error.message} (${issueList(unsaid)})` : error.message;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

/** The problem with one field of a refused input, to show at that field; null when it has none. */
export function fieldProblem(error: unknown, field: string): string | null {
  if (!(error instanceof CallError) || error.code !== 'invalid_input') return null;
  return error.issues?.find((issue) => issue.path === field)?.message ?? null;
}

/** Whether every problem of a refused input is with one of these fields, so showing each at its field says it all. */
export function onlyFieldProblems(error: unknown, fields: readonly string[]): boolean {
  if (!(error instanceof CallError) || error.code !== 'invalid_input') return false;
  const issues = error.issues ?? [];
  return issues.length > 0 && issues.every((issue) => fields.includes(issue.path));
}
