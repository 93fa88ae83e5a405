import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClaimSizer } from './claimSizer.ts';

function sizerAfter(concurrency: number, runs: number, runMs: number): ClaimSizer {
  const sizer = new ClaimSizer(concurrency);
  for (let i = 0; i < runs; i++) sizer.observe(runMs);
  return sizer;
}

test('short jobs are claimed ahead once one full round of the slots has run', () => {
  assert.equal(sizerAfter(16, 15, 1).limit(0, 0), 16, 'fifteen runs: only the free slots');
  assert.equal(sizerAfter(16, 16, 1).limit(0, 0), 500, 'sixteen runs: a prefetching chunk');
});

test('a small worker waits for a handful of runs, a large one for twenty', () => {
  assert.equal(sizerAfter(1, 4, 1).limit(0, 0), 1);
  assert.equal(sizerAfter(1, 5, 1).limit(0, 0), 500);
  assert.equal(sizerAfter(64, 19, 1).limit(0, 0), 64);
  assert.ok(sizerAfter(64, 20, 1).limit(0, 0) > 64);
});

test('long jobs are only ever claimed for free slots', () => {
  const sizer = sizerAfter(16, 100, 200);
  assert.equal(sizer.limit(0, 0), 16);
  assert.equal(sizer.limit(10, 0), 6);
  assert.equal(sizer.limit(16, 0), 0);
});

test('a prefetch buffer is refilled only once a quarter of it has run out', () => {
  const sizer = sizerAfter(16, 20, 1);
  assert.equal(sizer.limit(16, 1000), 0, 'full');
  assert.equal(sizer.limit(16, 900), 0, 'less than a quarter gone');
  assert.equal(sizer.limit(16, 700), 300, 'the room, in one chunk');
});
