import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesText } from './output.ts';

test('sizes read as an operator reads them: bytes below a KiB, never "0.0 KiB" for 36 bytes', () => {
  assert.deepEqual([0, 36, 1023, 1024, 1536, 5 * 1024 * 1024, 3 * 1024 ** 3].map(bytesText), ['0 B', '36 B', '1023 B', '1.0 KiB', '1.5 KiB', '5.0 MiB', '3.00 GiB']);
  assert.equal(bytesText(null), 'unknown');
});
