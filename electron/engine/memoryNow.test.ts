import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryNow } from './memoryNow.ts';

test("this process's resident set and V8 heap in use, in whole bytes", () => {
  const memory = memoryNow();
  assert.ok(memory);
  assert.ok(Number.isInteger(memory.rss_bytes) && memory.rss_bytes > 0);
  assert.ok(Number.isInteger(memory.heap_used_bytes) && memory.heap_used_bytes > 0 && memory.heap_used_bytes < memory.rss_bytes);
});

test('a platform that will not say gives no figure rather than a failed heartbeat', () => {
  assert.equal(
    memoryNow(() => {
      throw new Error('EMFILE: too many open files, uv_resident_set_memory');
    }),
    null,
  );
});
