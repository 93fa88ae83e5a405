import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryText } from './retryText.ts';

test('a retry strategy in words: how many, from which backoff, growing how, up to what', () => {
  assert.equal(retryText({ max_retries: 3, initial_backoff: 1, backoff_factor: 2, max_backoff: 300 }), '3 retries, each after a random wait up to 1s, ×2 each time, at most 300s');
  assert.equal(retryText({ max_retries: 1, initial_backoff: 0.5, backoff_factor: 1, max_backoff: 5 }), '1 retry, each after a random wait up to 0.5s, ×1 each time, at most 5s');
  assert.equal(retryText({ max_retries: 2, initial_backoff: 100, backoff_factor: 2, max_backoff: 5 }), '2 retries, each after a random wait up to 5s', 'a first backoff over the longest leaves the longest');
  assert.equal(retryText({ max_retries: 0, initial_backoff: 1, backoff_factor: 2, max_backoff: 300 }), 'no retry');
});
