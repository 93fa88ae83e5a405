import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atLevel, LineBuffer, lineLevel } from './logLines.ts';

test("a line's level is read from its label or pino's number; anything else has none", () => {
  assert.equal(lineLevel('{"level":"warn","msg":"x"}'), 'warn');
  assert.equal(lineLevel('{"level":"ERROR","msg":"x"}'), 'error');
  assert.equal(lineLevel('{"level":"fatal"}'), 'error');
  assert.equal(lineLevel('{"level":"trace"}'), 'debug');
  assert.equal(lineLevel('{"level":50}'), 'error');
  assert.equal(lineLevel('{"level":40}'), 'warn');
  assert.equal(lineLevel('{"level":30}'), 'info');
  assert.equal(lineLevel('{"level":20}'), 'debug');
  assert.equal(lineLevel('{"msg":"no level"}'), null);
  assert.equal(lineLevel('[2026-12-04 23:02:51.882] ERROR: text, not JSON'), null);
  assert.equal(lineLevel('"a string"'), null);
});

test('a threshold passes its level and those above it, and nothing without a level', () => {
  const lines = ['{"level":"debug"}', '{"level":"info"}', '{"level":"warn"}', '{"level":"error"}', 'not json'];
  assert.deepEqual(lines.filter((l) => atLevel(l, 'warn')), ['{"level":"warn"}', '{"level":"error"}']);
  assert.deepEqual(lines.filter((l) => atLevel(l, 'error')), ['{"level":"error"}']);
  assert.deepEqual(lines.filter((l) => atLevel(l, null)), lines, 'no threshold: every line');
});

test('lines arriving in pieces come out whole, once their newline is there', () => {
  const buffer = new LineBuffer();
  assert.deepEqual(buffer.push('{"level":"in'), []);
  assert.deepEqual(buffer.push('fo"}\n{"lev'), ['{"level":"info"}']);
  assert.deepEqual(buffer.push('el":"warn"}\n\n{"a":1}\n'), ['{"level":"warn"}', '{"a":1}']);
  assert.deepEqual(buffer.push('tail'), []);
  assert.deepEqual(buffer.flush(), ['tail']);
  assert.deepEqual(buffer.flush(), []);
});
