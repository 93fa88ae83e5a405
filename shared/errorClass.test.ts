import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classesNamedIn } from './errorClass.ts';

test("a search's words that name a failure class are found, a plain error text's are not", () => {
  assert.deepEqual(classesNamedIn('timeout'), ['timeout']);
  assert.deepEqual(classesNamedIn('Connection timeout'), ['connection', 'timeout']);
  assert.deepEqual(classesNamedIn('timed out'), ['timeout']);
  assert.deepEqual(classesNamedIn('resource'), ['resource_limit']);
  assert.deepEqual(classesNamedIn('rate limited'), ['rate_limited']);
  assert.deepEqual(classesNamedIn('timeouts'), ['timeout']);
  assert.deepEqual(classesNamedIn('upstream said 503'), []);
  assert.deepEqual(classesNamedIn("missing field 'account_id'"), []);
});
