import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { textParam } from './urlParams.ts';

const Search = z.string().max(10);

test('a text parameter is trimmed; blank is absent', () => {
  assert.deepEqual(textParam(new URLSearchParams('q=%20hi%20'), 'q', 'Error text', Search), { value: 'hi', dropped: null });
  assert.deepEqual(textParam(new URLSearchParams('q=%20'), 'q', 'Error text', Search), { value: undefined, dropped: null });
  assert.deepEqual(textParam(new URLSearchParams(''), 'q', 'Error text', Search), { value: undefined, dropped: null });
});

test('a text parameter the schema refuses is dropped with the field and the limit', () => {
  assert.deepEqual(textParam(new URLSearchParams({ q: 'x'.repeat(11) }), 'q', 'Error text', Search), {
    value: undefined,
    dropped: { label: 'Error text', why: '11 characters, at most 10 are accepted' },
  });
});
