import type { ApiErrorCode } from '../../shared/contract.ts';
import { StoreError } from '../store/errors.ts';

export interface ApiIssue {
  path: string;
  message: string;
}

/** A failure a handler means to report: its code reaches the caller as is, its message is one line for people. */
export class ApiFailure extends Error {
  readonly code: ApiErrorCode;
  readonly issues: ApiIssue[] | undefined;

  constructor(code: ApiErrorCode, message: string, issues?: ApiIssue[]) {
    super(message.replace(/\s*[\r\n]+\s*/g, ' ').trim());
    this.name = 'ApiFailure';
    this.code = code;
    this.issues = issues;
  }
}

export function notFound(message: string): ApiFailure {
  return new ApiFailure('not_found', message);
}

export function conflict(message: string): ApiFailure {
  return new ApiFailure('conflict', message);
}

/**
 * Why the store does not serve, as callers and the event feed say it: the message, and the action an
 * operator must take when it will not pass by itself, so a console promises no recovery that needs one.
 */
export function storeOutage(error: unknown): { message: string; action?: string } {
  if (!(error instanceof StoreError)) return { message: error instanceof Error ? error.message : String(error) };
  return error.transient ? { message: error.message } : { message: error.message, action: error.hint };
}
