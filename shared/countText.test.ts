import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countOf, countText } from './countText.ts';

test('a count with its noun agrees with it, one or more', () => {
  assert.equal(countOf(1, 'call'), '1 call');
  assert.equal(countOf(0, 'call'), '0 calls');
  assert.equal(countOf(2, 'failure'), '2 failures');
  assert.equal(countOf(20_000, 'call'), '20,000 calls');
  assert.equal(countOf(1, 'dead letter'), '1 dead letter');
  assert.equal(countOf(3, 'match', 'matches'), '3 matches');
  assert.equal(countText(1234), '1,234');
});
