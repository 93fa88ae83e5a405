import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drainStopReason } from './drain.ts';

describe('drainStopReason', () => {
  it('counts the jobs and says the drain in the shared count and duration formats', () => {
    assert.equal(drainStopReason(1, 4), 'safe-mode drain: 1 job(s) still running after 4s');
    assert.equal(drainStopReason(1_200, 300), 'safe-mode drain: 1,200 job(s) still running after 5m 0s');
  });
});
