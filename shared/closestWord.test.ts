import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, editDistance } from './closestWord.ts';

describe('editDistance', () => {
  it('counts an insert, a delete, a replaced letter and two neighbours swapped as one edit each', () => {
    assert.equal(editDistance('jobs', 'jobs'), 0);
    assert.equal(editDistance('statu', 'status'), 1);
    assert.equal(editDistance('statuss', 'status'), 1);
    assert.equal(editDistance('stetus', 'status'), 1);
    assert.equal(editDistance('jbos', 'jobs'), 1, 'a swap is one slip of the keys');
    assert.equal(editDistance('sevrcie', 'service'), 2);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('abc', ''), 3);
  });

  it('finds a name with two swaps among others', () => {
    assert.equal(closest('sevrcie', ['status', 'service', 'services']), 'service');
  });
});
