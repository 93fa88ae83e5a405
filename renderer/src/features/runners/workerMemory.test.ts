import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryCell } from './workerMemory.ts';

const memory = { rss_bytes: 182.3 * 1024 ** 2, heap_used_bytes: 24 * 1024 ** 2 };

test("a live worker's memory is its RSS, with V8's heap beside it", () => {
  assert.deepEqual(memoryCell({ memory, state: 'running', lost: false }), {
    rss: '182.3 MiB',
    detail: 'heap 24.0 MiB',
    dim: false,
    title: 'Resident memory (RSS) and V8 heap in use, at its last heartbeat',
  });
  assert.equal(memoryCell({ memory, state: 'draining', lost: false }).dim, false, 'a draining worker still beats');
});

test("a lost or stopped worker's memory is its last known, marked so", () => {
  const lost = memoryCell({ memory, state: 'running', lost: true });
  assert.deepEqual([lost.rss, lost.detail, lost.dim], ['182.3 MiB', 'last known, heap 24.0 MiB', true]);
  assert.match(lost.title, /^Last known, at its last heartbeat: a lost worker reports nothing$/);
  const stopped = memoryCell({ memory, state: 'stopped', lost: false });
  assert.deepEqual([stopped.rss, stopped.detail, stopped.dim, stopped.title], ['182.3 MiB', 'last known, heap 24.0 MiB', true, 'Last known, as it stopped']);
});

test('a worker that said nothing (an older version) shows a dash, and why', () => {
  const none = memoryCell({ memory: null, state: 'running', lost: false });
  assert.deepEqual([none.rss, none.detail, none.dim], ['-', null, true]);
  assert.match(none.title, /older version/);
});
