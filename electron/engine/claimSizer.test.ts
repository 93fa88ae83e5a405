import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClaimSizer } from './claimSizer.ts';

function sizerAfter(concurrency: number, runs: number, runMs: number): ClaimSizer {
  const sizer = new ClaimSizer(concurrency);
  for (let i = 0; i < runs; i++) sizer.observe(runMs);
  return sizer;
}

test('short jobs are claimed ahead once a first claim\'s worth of runs, sixteen to twenty, have shown they are short', () => {
  assert.equal(sizerAfter(32, 19, 1).limit(0, 0), 32, 'many slots, nineteen runs: only the free slots');
  assert.equal(sizerAfter(32, 20, 1).limit(0, 0), 500, 'many slots, twenty runs: a prefetching chunk');
  assert.equal(sizerAfter(16, 15, 1).limit(0, 0), 16, 'sixteen slots, fifteen runs: only the free slots');
  assert.equal(sizerAfter(16, 16, 1).limit(0, 0), 500, 'every one of sixteen slots ran short once: a prefetching chunk');
  assert.equal(sizerAfter(1, 15, 1).limit(0, 0), 1, 'one slot, fifteen runs: not yet');
  assert.equal(sizerAfter(1, 16, 1).limit(0, 0), 500, 'one slot, sixteen short runs');
});

test('until it is trusted, the average is a plain mean: one fast first run does not make slow jobs look short', () => {
  const sizer = new ClaimSizer(8);
  sizer.observe(0);
  for (let i = 0; i < 15; i++) sizer.observe(58);
  // A moving average seeded with the first run would say 46 ms, short enough to claim ahead.
  assert.equal(sizer.limit(0, 0), 8, 'a mean of 54 ms is not short: only the free slots');
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
