import type { ApiErrorCode } from '../../shared/contract.ts';

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
