import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resetAllText, setAllText } from './resetAllText.ts';

describe('resetAllText', () => {
  it('counts only the breakers the reset changed, and says how many were already closed', () => {
    assert.equal(resetAllText(2, 0), 'Reset 2 circuit breakers: automatic and closed.');
    assert.equal(resetAllText(1, 3), 'Reset 1 circuit breaker: automatic and closed. 3 circuit breakers already closed with nothing to clear.');
    assert.equal(resetAllText(0, 4), 'Nothing to reset: all 4 breakers are already closed with nothing to clear.');
    assert.equal(resetAllText(0, 1), 'Nothing to reset: the only breaker is already closed with nothing to clear.');
  });
});

describe('setAllText', () => {
  it('counts the breakers set to the mode, and those already in it, left as they were', () => {
    assert.equal(setAllText('force_open', 3, 0), 'Forced 3 circuit breakers open.');
    assert.equal(setAllText('force_closed', 1, 1), 'Forced 1 circuit breaker closed. 1 circuit breaker already forced closed: left as it was.');
    assert.equal(setAllText('auto', 2, 1200), 'Returned 2 circuit breakers to automatic. 1,200 circuit breakers already automatic: left as they were.');
    assert.equal(setAllText('auto', 0, 4), 'Nothing changed: all 4 breakers are already automatic.');
  });
});
