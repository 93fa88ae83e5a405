import type { ApiError, ApiErrorCode } from '../../../shared/contract.ts';

/** A failed call as the UI sees it: the contract's error code and a message fit to show an operator. */
export class CallError extends Error {
  readonly code: ApiErrorCode;
  readonly issues: ApiError['issues'];

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'CallError';
    this.code = error.code;
    this.issues = error.issues;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof CallError) {
    const issues = error.issues?.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return issues ? `${error.message} (${issues})` : error.message;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
