import assert from 'node:assert/strict';
import type { ApiResponse } from '../../../shared/contract.ts';

/** A call's result; the test fails with the error's code and message when the call failed. */
export function ok(res: ApiResponse): unknown {
  if (!res.ok) assert.fail(`${res.error.code}: ${res.error.message}`);
  return res.result;
}

/** A call's error; the test fails with the result when the call did not fail. */
export function failure(res: ApiResponse): { code: string; message: string } {
  if (res.ok) assert.fail(`expected a failure, got ${JSON.stringify(res.result)}`);
  return res.error;
}
