import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorMessage } from './result.ts';

test('errorMessage says what was thrown, even a value that cannot be made a string', () => {
  assert.equal(errorMessage(new Error('connect ECONNREFUSED 127.0.0.1:2375')), 'connect ECONNREFUSED 127.0.0.1:2375');
  assert.equal(errorMessage('a plain string'), 'a plain string');
  assert.equal(errorMessage(Object.create(null)), '[object Object]');
  assert.equal(errorMessage({ toString: () => { throw new Error('no'); } }), '[object Object]');
});
