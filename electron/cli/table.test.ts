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

  it('a middle cut is never longer than its column and never shows a word twice, whatever the words', () => {
    const words = ['variable', 'of', 'WALK_API_TOKEN', 'after', 'HTTP', 'environment', 'a', 'timeout', 'set', 'x', 'not', '30s', 'https://example.test/a/very/long/path/name'];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 5000; round++) {
      const text = Array.from({ length: 5 + next(30) }, (_, i) => `${words[next(words.length)] ?? 'w'}#${i}`).join(' ');
      const max = 10 + next(100);
      const out = renderTable([{ header: 'e', max, cut: 'middle' }], [[text]]).split('\n')[1] ?? '';
      assert.ok([...out].length <= max, `${max}: ${out}`);
      const shown = out.split(' ').filter((w) => w.includes('#'));
      assert.equal(new Set(shown).size, shown.length, `a word shown twice at ${max}: ${out}`);
    }
  });

  it('cuts an error in the middle at spaces, keeping more of its start, which names the failure, and its end', () => {
    const error = 'connection failed calling POST http://127.0.0.1:18701/v1/chat/completions: connection refused (ECONNREFUSED)';
    const out = renderTable([{ header: 'error', max: 80, cut: 'middle' }], [[error]]).split('\n')[1] ?? '';
    assert.ok([...out].length <= 80, out);
    assert.ok(out.startsWith('connection failed calling POST'), out);
    assert.ok(out.endsWith(' … connection refused (ECONNREFUSED)'), out);
    assert.equal(renderTable([{ header: 'error', max: 60, cut: 'middle' }], [['short: fine']]).split('\n')[1], 'short: fine');
    const unset = 'environment variable WALK_API_TOKEN is not set on this worker: the services read it from the environment where the workers run';
    const cutUnset = renderTable([{ header: 'error', max: 70, cut: 'middle' }], [[unset]]).split('\n')[1] ?? '';
    assert.equal(cutUnset, 'environment variable WALK_API_TOKEN is not set … where the workers run');
    const limit = 'resource limit exceeded: CPU time 30s used up (the cgroup counts CPU of every process, which can run ahead of the time measured)';
    const cutLimit = renderTable([{ header: 'error', max: 70, cut: 'middle' }], [[limit]]).split('\n')[1] ?? '';
    assert.ok(cutLimit.startsWith('resource limit exceeded: CPU time 30s '), cutLimit);
    assert.ok([...cutLimit].length <= 70, cutLimit);
  });

  it("gives an error column the room a known terminal width leaves, and --wide cuts nothing", () => {
    const error = 'x'.repeat(30) + ' ' + 'y'.repeat(100);
    const columns = [{ header: 'id' }, { header: 'name', max: 8 }, { header: 'error', max: 40, cut: 'middle' as const }];
    const rows = [['1', 'a very long name', error]];
    assert.equal(renderTable(columns, rows).split('\n')[1]?.length, 2 + 2 + 8 + 2 + 40, 'no width known: its own max');
    assert.equal(renderTable(columns, rows, { width: 50 }).split('\n')[1]?.length, 2 + 2 + 8 + 2 + 40, 'a narrow terminal: never below its own max');
    const fitted = renderTable(columns, rows, { width: 100 }).split('\n')[1] ?? '';
    assert.equal(fitted.length, 100, fitted);
    assert.ok(renderTable(columns, rows, { width: 300 }).endsWith(error), 'room enough: the whole message');
    const wide = renderTable(columns, rows, { wide: true }).split('\n')[1] ?? '';
    assert.ok(wide.includes('a very long name') && wide.endsWith(error), wide);
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
