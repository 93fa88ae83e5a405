import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkerPool } from '../../shared/domain.ts';
import { poolCellText, workerColumns } from './commands/fleet.ts';
import { renderTable } from './table.ts';

const exhausted: WorkerPool = { max: 2, peak_in_use: 2, peak_waiting: 3, longest_wait_ms: 1204 };

test("a worker's pool is its figures while it lives, its last ones marked once it is lost or stopped, and - when it said none", () => {
  assert.equal(poolCellText({ pool: exhausted, state: 'running', lost: false }), '2/2, up to 3 waiting, longest 1.20 s');
  assert.equal(poolCellText({ pool: exhausted, state: 'running', lost: true }), '2/2, up to 3 waiting, longest 1.20 s (last)');
  assert.equal(poolCellText({ pool: { ...exhausted, peak_waiting: 0 }, state: 'stopped', lost: false }), '2/2 (last)');
  assert.equal(poolCellText({ pool: null, state: 'running', lost: true }), '-');
});

test('the pool column lines up to the right, header and figures, as rss and cpu beside it do', () => {
  const columns = workerColumns(false, true);
  const cells: Record<string, string[]> = {
    rss: ['80.0 MB', '1.20 GB (last)', '512 MB'],
    cpu: ['1.2%', '0.0% (last)', '104.5%'],
    pool: ['3/8', '2/2, up to 3 waiting, longest 1.20 s (last)', '12/16'],
  };
  const rows = [0, 1, 2].map((i) => columns.map((c) => cells[c.header]?.[i] ?? 'x'));
  const [header = '', ...lines] = renderTable(columns, rows).split('\n');
  const endOf = (line: string, text: string) => line.indexOf(text) + text.length;
  for (const [name, texts] of Object.entries(cells)) {
    const end = endOf(header, name.toUpperCase());
    lines.forEach((line, i) => assert.equal(endOf(line, texts[i] ?? ''), end, `${name}, row ${i}:\n${header}\n${line}`));
  }
});
