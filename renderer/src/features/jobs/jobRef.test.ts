import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isJob, noJobText, parseJobRef } from './jobRef.ts';

test('digits are an id, anything else an identifier, trimmed', () => {
  assert.equal(parseJobRef('37'), 37);
  assert.equal(parseJobRef(' 37 '), 37);
  assert.equal(parseJobRef('data-transform-123'), 'data-transform-123');
  assert.equal(parseJobRef('37a'), '37a');
});

test('nothing, zero and a name longer than an identifier can be name no job', () => {
  assert.equal(parseJobRef(null), null);
  assert.equal(parseJobRef('   '), null);
  assert.equal(parseJobRef('0'), null);
  assert.equal(parseJobRef('x'.repeat(201)), null);
  assert.equal(parseJobRef('x'.repeat(200)), 'x'.repeat(200));
});

test('a row is the job named by its id or by its identifier', () => {
  const job = { id: 37, identifier: 'data-transform-123' };
  assert.equal(isJob(job, 37), true);
  assert.equal(isJob(job, 'data-transform-123'), true);
  assert.equal(isJob(job, '37'), false);
  assert.equal(isJob(job, null), false);
});

test('the answer for no such job names what was asked', () => {
  assert.equal(noJobText('data-transform-999'), 'No job with id or identifier "data-transform-999".');
  assert.equal(noJobText(999), 'No job with id or identifier "999".');
});
