import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher } from './batcher.ts';

test('items arriving during a flush go together in the next one', async () => {
  const flushed: number[][] = [];
  let release: () => void = () => {};
  const batcher = new Batcher<number>({
    flush: async (items) => {
      flushed.push(items);
      if (flushed.length === 1) await new Promise<void>((r) => (release = r));
      return null;
    },
    maxBatch: 100,
    delayMs: 1,
    retryMs: 1,
    onError: () => {},
  });
  batcher.add(1);
  await new Promise((r) => setTimeout(r, 10));
  for (let i = 2; i <= 6; i++) batcher.add(i);
  release();
  await batcher.drain();
  assert.deepEqual(flushed, [[1], [2, 3, 4, 5, 6]]);
  assert.equal(batcher.busy, false);
});

test('a full batch flushes at once and a batch never exceeds the maximum', async () => {
  const flushed: number[][] = [];
  const batcher = new Batcher<number>({
    flush: async (items) => {
      flushed.push(items);
      return null;
    },
    maxBatch: 3,
    delayMs: 60_000,
    retryMs: 1,
    onError: () => {},
  });
  for (let i = 1; i <= 7; i++) batcher.add(i);
  await batcher.drain();
  assert.deepEqual(flushed.flat(), [1, 2, 3, 4, 5, 6, 7]);
  assert.ok(flushed.every((b) => b.length <= 3));
});

test('a failed flush is retried with its items, in order', async () => {
  const flushed: number[][] = [];
  const errors: number[] = [];
  let failures = 2;
  const batcher = new Batcher<number>({
    flush: async (items) => {
      if (failures-- > 0) throw new Error('store unavailable');
      flushed.push(items);
      return null;
    },
    maxBatch: 10,
    delayMs: 1,
    retryMs: 1,
    onError: (_e, n) => errors.push(n),
  });
  batcher.add(1);
  batcher.add(2);
  await batcher.drain();
  assert.deepEqual(flushed.flat(), [1, 2]);
  assert.equal(errors.length, 2);
});

test('one flush at a time, however many items wait: every item lands once, in order', async () => {
  let inFlight = 0;
  let peak = 0;
  const landed: number[] = [];
  const batcher = new Batcher<number>({
    flush: async (items) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      landed.push(...items);
      inFlight--;
      return null;
    },
    maxBatch: 2,
    delayMs: 1,
    retryMs: 1,
    onError: () => {},
  });
  for (let i = 0; i < 20; i++) batcher.add(i);
  await batcher.drain();
  assert.deepEqual(landed, Array.from({ length: 20 }, (_, i) => i));
  assert.equal(peak, 1);
});

test('what arrives during a flush quicker than the delay waits for the delay, so it goes with what follows', async () => {
  const flushed: number[][] = [];
  const batcher: Batcher<number> = new Batcher<number>({
    flush: async (items) => {
      flushed.push(items);
      // A result that comes in while the flush is under way: on SQLite a flush is over in well under a millisecond.
      if (flushed.length === 1) batcher.add(3);
      return null;
    },
    maxBatch: 2,
    delayMs: 60_000,
    retryMs: 1,
    onError: () => {},
  });
  batcher.add(1);
  batcher.add(2);
  await new Promise((resolve) => setImmediate(resolve));
  batcher.add(4);
  await batcher.drain();
  assert.deepEqual(flushed, [[1, 2], [3, 4]]);
});

test('a batch ends before its items outweigh the limit; an item heavier than the limit goes alone', async () => {
  const flushed: number[][] = [];
  const batcher = new Batcher<number>({
    flush: async (items) => {
      flushed.push(items);
      return null;
    },
    maxBatch: 100,
    maxWeight: 10,
    weigh: (n) => n,
    delayMs: 60_000,
    retryMs: 1,
    onError: () => {},
  });
  for (const n of [4, 4, 4, 4, 30, 1]) batcher.add(n);
  await batcher.drain();
  assert.deepEqual(flushed, [[4, 4], [4, 4], [30], [1]]);
});

test('what a flush could not land is tried again alone, ahead of what came since; what it landed is not sent again', async () => {
  const flushed: number[][] = [];
  const errors: unknown[] = [];
  const batcher = new Batcher<number>({
    flush: async (items) => {
      flushed.push(items);
      if (flushed.length === 1) return { items: items.filter((n) => n === 2), error: 'store away' };
      return null;
    },
    maxBatch: 10,
    delayMs: 1,
    retryMs: 1,
    onError: (error, n) => errors.push([error, n]),
  });
  for (const n of [1, 2, 3]) batcher.add(n);
  await batcher.drain();
  assert.deepEqual(flushed, [[1, 2, 3], [2]]);
  assert.deepEqual(errors, [['store away', 1]]);
});

test('retries back off, doubling up to the most, and start over once a flush lands', async () => {
  const tries: number[] = [];
  // Five failures, a flush that lands, then one failure more.
  const fails = [true, true, true, true, true, false, true, false];
  const batcher = new Batcher<number>({
    flush: async () => {
      tries.push(performance.now());
      if (fails[tries.length - 1]) throw new Error('store unavailable');
      return null;
    },
    maxBatch: 10,
    delayMs: 1,
    retryMs: 50,
    retryMostMs: 400,
    onError: () => {},
  });
  batcher.add(1);
  await batcher.drain();
  batcher.add(2);
  await batcher.drain();
  assert.equal(tries.length, 8);
  const waits = tries.slice(1).map((t, i) => Math.round(t - (tries[i] ?? 0)));
  const said = waits.join(', ');
  for (const [i, least] of [50, 100, 200, 400, 400].entries()) assert.ok((waits[i] ?? 0) >= least - 2, `wait ${i}: ${said}`);
  assert.ok((waits[4] ?? 0) < 750, `capped at 400, not doubled to 800: ${said}`);
  assert.ok((waits[6] ?? 0) >= 48 && (waits[6] ?? 0) < 350, `after a flush landed, the first retry's wait again, not 400: ${said}`);
});

test('a retry asked for now goes at once, not after the backoff, and what it leaves is kept', async () => {
  let up = false;
  const tries: number[] = [];
  const batcher = new Batcher<number>({
    flush: async () => {
      tries.push(performance.now());
      if (!up) throw new Error('store unavailable');
      return null;
    },
    maxBatch: 10,
    delayMs: 1,
    retryMs: 60_000,
    onError: () => {},
  });
  await batcher.retryNow();
  assert.equal(tries.length, 0, 'nothing failed: nothing to retry');
  batcher.add(1);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(batcher.size, 1, 'kept for the retry');
  await batcher.retryNow();
  assert.equal(tries.length, 2, 'tried again at once, well inside the minute of backoff');
  assert.equal(batcher.size, 1, 'and failed again');
  up = true;
  const asked = performance.now();
  await batcher.retryNow();
  assert.equal(tries.length, 3);
  assert.ok((tries[2] ?? Infinity) - asked < 1000, 'the new backoff was cut short too');
  assert.equal(batcher.size, 0, 'the item landed');
});
