import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStuck } from './isStuck.ts';

const now = Date.parse('2026-03-01T12:00:00.000Z');

describe('isStuck', () => {
  it('is a running job whose lease has run out', () => {
    assert.equal(isStuck({ status: 'running', lease_expires_at: '2026-03-01T11:59:59.999Z' }, now), true);
  });

  it('is not a running job whose lease still holds, to the millisecond', () => {
    assert.equal(isStuck({ status: 'running', lease_expires_at: '2026-03-01T12:00:00.001Z' }, now), false);
    assert.equal(isStuck({ status: 'running', lease_expires_at: '2026-03-01T12:00:00.000Z' }, now), false);
  });

  it('is not a job that holds no lease or is not running', () => {
    assert.equal(isStuck({ status: 'running', lease_expires_at: null }, now), false);
    for (const status of ['pending', 'completed', 'failed', 'cancelled'] as const) {
      assert.equal(isStuck({ status, lease_expires_at: '2026-03-01T11:00:00.000Z' }, now), false, status);
    }
  });
});
