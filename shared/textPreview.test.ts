import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { previewText } from './textPreview.ts';

describe('previewText', () => {
  it('keeps a text within the limit whole', () => {
    assert.deepEqual(previewText('{"a":1}', 7), { shown: '{"a":1}', totalBytes: 7, moreBytes: 0 });
  });

  it('cuts a long line at the limit, and counts what is left in bytes', () => {
    const preview = previewText('x'.repeat(100), 40);
    assert.deepEqual(preview, { shown: 'x'.repeat(40), totalBytes: 100, moreBytes: 60 });
  });

  it('never splits a character: a cut inside one backs off to its start', () => {
    // "é" is 2 bytes and "€" 3: a limit of 4 falls inside the euro sign.
    const preview = previewText('aé€b', 4);
    assert.equal(preview.shown, 'aé');
    assert.equal(preview.totalBytes, 7);
    assert.equal(preview.moreBytes, 4);
    assert.equal(new TextEncoder().encode(preview.shown).length + preview.moreBytes, preview.totalBytes);
  });

  it('ends a pretty-printed text on a whole line', () => {
    const text = JSON.stringify({ rows: Array.from({ length: 200 }, (_, i) => ({ i, name: `customer_${i}` })) }, null, 2);
    const preview = previewText(text, 1000);
    assert.ok(text.startsWith(preview.shown));
    assert.equal(text[preview.shown.length], '\n');
    assert.ok(new TextEncoder().encode(preview.shown).length <= 1000);
    assert.equal(preview.shown.length + preview.moreBytes, text.length);
  });
});
