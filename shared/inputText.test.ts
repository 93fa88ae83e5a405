import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inputTextProblem, MAX_INPUT_DEPTH } from './inputText.ts';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { inner: value };
  return value;
}

describe('input text the stores cannot keep', () => {
  test('ordinary input, unicode and emoji included, passes', () => {
    assert.equal(inputTextProblem({ filter: { search: 'Größe 💥 timeout', status: ['failed'] }, limit: 50, payload: { a: [1, null, true] } }), null);
    assert.equal(inputTextProblem(undefined), null);
  });

  test('a NUL anywhere is named with its path', () => {
    assert.deepEqual(inputTextProblem({ filter: { search: 'ab\u0000c' } })?.path, 'filter.search');
    assert.deepEqual(inputTextProblem({ jobs: [{ payload: {} }, { payload: { note: ['x', '\u0000'] } }] })?.path, 'jobs[1].payload.note[1]');
    assert.match(inputTextProblem('\u0000')?.message ?? '', /NUL/);
  });

  test('a lone surrogate is refused, a pair is not', () => {
    assert.equal(inputTextProblem({ identifier: '\ud83d\udca5' }), null);
    assert.deepEqual(inputTextProblem({ identifier: '\ud800' }), { path: 'identifier', message: 'contains a lone UTF-16 surrogate, which is not text in any encoding the stores keep' });
    assert.equal(inputTextProblem({ reason: 'tail \udc00' })?.path, 'reason');
  });

  test('a key is checked as well as its value', () => {
    assert.match(inputTextProblem({ payload: { 'a\u0000': 1 } })?.message ?? '', /^its name contains a NUL/);
  });

  test(`nesting up to ${MAX_INPUT_DEPTH} levels passes; deeper is refused, however deep, without exhausting the stack`, () => {
    assert.equal(inputTextProblem(nested(MAX_INPUT_DEPTH)), null);
    assert.match(inputTextProblem(nested(MAX_INPUT_DEPTH + 1))?.message ?? '', /nests deeper than 64 levels/);
    assert.match(inputTextProblem({ payload: nested(200_000) })?.message ?? '', /nests deeper/);
  });
});
