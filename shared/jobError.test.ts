import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobStatus } from './domain.ts';
import { errorLabel } from './jobError.ts';

test("a completed job's error is an earlier attempt's; every other status's is its own", () => {
  assert.deepEqual(
    JobStatus.options.map((s) => [s, errorLabel(s)]),
    [
      ['pending', 'error'],
      ['running', 'error'],
      ['completed', 'earlier error'],
      ['failed', 'error'],
      ['cancelled', 'error'],
      ['waiting', 'error'],
      ['blocked', 'error'],
    ],
  );
});
