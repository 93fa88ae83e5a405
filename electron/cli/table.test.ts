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
    // The URL is cut before a part of its path, never inside its host and port.
    assert.ok(out.endsWith(' … /completions: connection refused (ECONNREFUSED)'), out);
    assert.equal(renderTable([{ header: 'error', max: 60, cut: 'middle' }], [['short: fine']]).split('\n')[1], 'short: fine');
    const unset = 'environment variable WALK_API_TOKEN is not set on this worker: the services read it from the environment where the workers run';
    const cutUnset = renderTable([{ header: 'error', max: 70, cut: 'middle' }], [[unset]]).split('\n')[1] ?? '';
    assert.equal(cutUnset, 'environment variable WALK_API_TOKEN is not set … where the workers run');
    const limit = 'resource limit exceeded: CPU time 30s used up (the cgroup counts CPU of every process, which can run ahead of the time measured)';
    const cutLimit = renderTable([{ header: 'error', max: 70, cut: 'middle' }], [[limit]]).split('\n')[1] ?? '';
    assert.ok(cutLimit.startsWith('resource limit exceeded: CPU time 30s '), cutLimit);
    assert.ok([...cutLimit].length <= 70, cutLimit);
  });

  it("never cuts a URL's scheme://host:port, nor a long word but before a part of its path, so no cut reads as another value", () => {
    const errors = [
      'connection failed calling GET http://127.0.0.1:18777/api/v2/payments/charges/settle/detail503 answered 503 Service Unavailable',
      'POST http://127.0.0.1:18777/charges: the server closed the connection (UND_ERR_SOCKET)',
      'http://127.0.0.1:18777/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p answered 503',
      'upstream said https://api.example.com:8443/v1/very/long/path/to/resource?x=1&y=2 503',
    ];
    for (const error of errors) {
      for (let max = 8; max <= 130; max++) {
        const out = renderTable([{ header: 'e', max, cut: 'middle' }], [[error]]).split('\n')[1] ?? '';
        assert.ok([...out].length <= max, `${max}: ${out}`);
        for (const address of ['http://127.0.0.1:18777', 'https://api.example.com:8443']) {
          const parts = [address.slice(0, 12), address.slice(8, 17), address.slice(-5), address.slice(-4)];
          if (error.includes(address) && parts.some((part) => out.includes(part))) assert.ok(out.includes(address), `${max}: ${out}`);
        }
        // The cell opens and closes with the error's own text or the mark, never a space.
        assert.equal(out, out.trim(), `${max}: "${out}"`);
        // Every piece of the error shown is a run of its whole words, or starts at a separator of a long one.
        for (const piece of out.split('…').map((part) => part.trim()).filter((part) => part !== '')) {
          const at = error.indexOf(piece);
          assert.ok(at >= 0, `${max}: ${piece}`);
          assert.ok(at === 0 || error[at - 1] === ' ' || /^[/?&=,;]/.test(piece), `${max}: "${piece}" starts inside a word`);
        }
      }
    }
    const at = (error: string, max: number) => renderTable([{ header: 'e', max, cut: 'middle' }], [[error]]).split('\n')[1];
    assert.equal(at(errors[0] ?? '', 60), 'connection failed calling GET … 503 Service Unavailable');
    assert.equal(at(errors[1] ?? '', 50), 'POST http://127.0.0.1:18777 … (UND_ERR_SOCKET)');
    assert.equal(at(errors[2] ?? '', 40), 'http://127.0.0.1:18777 … /p answered 503');
  });

  it('gives the whole room to the end when no word of the start fits, and to the start when no word of the end does', () => {
    const unavailable = 'http://127.0.0.1:18777/api/v2/payments/charges/settle/detail503 answered 503 Service Unavailable while settling';
    const cell = (error: string, max: number) => renderTable([{ header: 'e', max, cut: 'middle' }, { header: 'x' }], [[error, 'x']]).split('\n')[1];
    assert.equal(cell(unavailable, 38), '… Service Unavailable while settling  x');
    assert.equal(cell(unavailable, 36), '… Service Unavailable while settling  x');
    assert.equal(cell(unavailable, 30), '… Unavailable while settling  x');
    const refused = 'connection failed calling GET http://127.0.0.1:18777/api/v2/payments/charges/settle/detail503 answered 503 Service Unavailable';
    assert.equal(cell(refused, 20), 'connection failed …  x');
  });

  it("cuts an identifier before its last /-part, a workflow task's name, which it keeps whole", () => {
    const cell = (text: string, max = 32) => renderTable([{ header: 'identifier', max, cut: 'last' }], [[text]]).split('\n')[1] ?? '';
    assert.equal(cell('slow_flow-mxdo6jid0001044d9ae6/extract_data'), 'slow_flow-mxdo6jid…/extract_data');
    assert.equal(cell('slow_flow-mxdo6jid0001044d9ae6/load'), 'slow_flow-mxdo6jid0001044d…/load');
    assert.equal(cell('short/task'), 'short/task');
    assert.equal(cell('an-identifier-with-no-task-in-it-at-all'), 'an-identifier-with-no-task-in-i…', 'no /: cut at its end');
    assert.equal(cell('run/a-task-name-longer-than-the-column-itself'), 'run/a-task-name-longer-than-the…', 'a part that cannot fit: cut at its end');
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
