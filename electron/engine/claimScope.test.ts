import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { heldByRunning } from './claimScope.ts';
import type { ClaimScope } from './claimScope.ts';

const scope = (rooms: Array<[string, number]>, gatedByRunning = false): ClaimScope => ({ request: {}, rooms: new Map(rooms), gatedByRunning });
const jobs = (...services: string[]) => services.map((service_name) => ({ service_name }));

describe('whether running jobs held a claim back', () => {
  test('a service with no room, or whose room the claim filled, held it back', () => {
    assert.equal(heldByRunning(scope([['report', 0]]), jobs()), true);
    assert.equal(heldByRunning(scope([['report', 1]]), jobs('report', 'other')), true);
    assert.equal(heldByRunning(scope([['report', 2]]), jobs('report', 'report')), true);
  });

  test('a cap the claim did not reach held nothing back: no wake on every change for it', () => {
    assert.equal(heldByRunning(scope([['report', 2]]), jobs('report', 'other')), false);
    assert.equal(heldByRunning(scope([['report', 5]]), jobs()), false);
    assert.equal(heldByRunning(scope([]), jobs('other')), false);
  });

  test('a max_concurrent gate, counted inside the store, always may have', () => {
    assert.equal(heldByRunning(scope([], true), jobs()), true);
  });
});
