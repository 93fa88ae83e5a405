import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resetAllText } from './resetAllText.ts';

describe('resetAllText', () => {
  it('counts only the breakers the reset changed, and says how many were already closed', () => {
    assert.equal(resetAllText(2, 0), 'Reset 2 circuit breakers: automatic and closed.');
    assert.equal(resetAllText(1, 3), 'Reset 1 circuit breaker: automatic and closed. 3 circuit breakers already closed with nothing to clear.');
    assert.equal(resetAllText(0, 4), 'Nothing to reset: all 4 breakers are already closed with nothing to clear.');
    assert.equal(resetAllText(0, 1), 'Nothing to reset: the only breaker is already closed with nothing to clear.');
  });
});
