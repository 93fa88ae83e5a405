import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClaimSizer } from './claimSizer.ts';

function sizerAfter(concurrency: number, runs: number, runMs: number): ClaimSizer {
  const sizer = new ClaimSizer(concurrency);
  for (let i = 0; i < runs; i++) sizer.observe(runMs);
  return sizer;
}

test('short jobs are claimed ahead once twenty runs have shown they are short', () => {
  assert.equal(sizerAfter(32, 19, 1).limit(0, 0), 32, 'nineteen runs: only the free slots');
  assert.equal(sizerAfter(32, 20, 1).limit(0, 0), 500, 'twenty runs: a prefetching chunk');
});

test('with fewer slots than twenty, a first claim\'s worth of short runs is enough, but never fewer than eight', () => {
  assert.equal(sizerAfter(16, 15, 1).limit(0, 0), 16, 'fifteen of sixteen: only the free slots');
  assert.equal(sizerAfter(16, 16, 1).limit(0, 0), 500, 'every slot ran short once: a prefetching chunk');
  assert.equal(sizerAfter(1, 7, 1).limit(0, 0), 1, 'one slot, seven short runs: not yet');
  assert.equal(sizerAfter(1, 8, 1).limit(0, 0), 500, 'one slot, eight short runs');
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
