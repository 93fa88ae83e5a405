import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastLine, OutputTail } from './outputTail.ts';

test('keeps the last bytes across chunks and counts all', () => {
  const tail = new OutputTail(10);
  tail.push('hello ');
  tail.push('wonderful ');
  tail.push('world');
  assert.equal(tail.text(), 'rful world');
  assert.equal(tail.totalBytes, 21);
  assert.equal(tail.truncated, true);
});

test('a multi-byte character cut at the start is dropped, not garbled', () => {
  const tail = new OutputTail(4);
  tail.push('aé€'); // 1 + 2 + 3 bytes
  assert.equal(tail.text(), '€');
});

test('lastLine quotes the last line that says something', () => {
  assert.equal(lastLine('a\nboom\n\n'), 'boom');
  assert.equal(lastLine(''), '');
  assert.equal(lastLine('\n#\n# Fatal process OOM in Failed to reserve virtual memory for CodeRange\n#\n\n'), '# Fatal process OOM in Failed to reserve virtual memory for CodeRange', "V8's frame of '#' is not the message");
  assert.equal(lastLine('---\n***\n'), '');
});
