import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderFields, renderTable } from './table.ts';

describe('renderTable', () => {
  it('aligns columns, right-aligns numbers, cuts long cells and flattens newlines', () => {
    const out = renderTable(
      [{ header: 'id', align: 'right' }, { header: 'name', max: 8 }, { header: 'note' }],
      [
        ['7', 'short', 'a\nb'],
        ['1234', 'a very long name', ''],
      ],
    );
    assert.equal(out, ['  ID  NAME      NOTE', '   7  short     a b', '1234  a very …'].join('\n'));
  });

  it('cuts an error in the middle, so its cause at the end still shows', () => {
    const error = 'connection failed calling POST http://127.0.0.1:18701/v1/chat/completions: connection refused (ECONNREFUSED)';
    const out = renderTable([{ header: 'error', max: 80, cut: 'middle' }], [[error]]).split('\n')[1] ?? '';
    assert.equal([...out].length, 80);
    assert.ok(out.startsWith('connection failed calling POST'), out);
    assert.ok(out.endsWith(': connection refused (ECONNREFUSED)'), out);
    assert.equal(renderTable([{ header: 'error', max: 60, cut: 'middle' }], [['short: fine']]).split('\n')[1], 'short: fine');
  });

  it('measures colored cells by their visible width', () => {
    const red = `${String.fromCharCode(27)}[31mfailed${String.fromCharCode(27)}[0m`;
    const out = renderTable([{ header: 'status' }, { header: 'x' }], [[red, '1'], ['ok', '2']]);
    const lines = out.split('\n');
    assert.equal(lines[2], 'ok      2');
    assert.ok(lines[1]?.endsWith('  1'));
  });
});

describe('renderFields', () => {
  it('aligns the values', () => {
    assert.equal(renderFields([['id', '1'], ['status', 'ok']]), 'id:     1\nstatus: ok');
  });
});
