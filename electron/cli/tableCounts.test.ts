import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { openStore } from '../store/open.ts';
import { slowQueriesTable } from './commands/diagnose.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

/** Table cells the console writes with the shared formats, written so by the CLI too: 1,200, not 1200. */
describe('counts in the CLI tables read as the console writes them', () => {
  let dir: string;
  let db: string;
  let common: string[];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-table-counts-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, ['services:', '  - name: vendor', '    execution_type: noop', ''].join('\n'));
    db = join(dir, 'opsdeck.db');
    common = ['--db', db, '--registry', registry];
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it("breaker list's pending column separates the thousands; --json keeps the number", async () => {
    const store = await openStore(db);
    try {
      await store.enqueue(Array.from({ length: 1200 }, () => ({ queue: 'default', service_name: 'vendor', execution_type: 'noop' as const, max_attempts: 1 })));
    } finally {
      await store.close();
    }
    assert.match(ok(await opsdeck(['breaker', 'list', ...common])), /^vendor\s+closed\s+auto\s+0\/\d+ \(0 calls\)\s+1,200\s/m);
    const json = z.object({ breakers: z.array(z.object({ service_name: z.string(), waiting_jobs: z.number() })) });
    const views = json.parse(JSON.parse(ok(await opsdeck(['breaker', 'list', ...common, '--json'])))).breakers;
    assert.deepEqual(views.map((b) => [b.service_name, b.waiting_jobs]), [['vendor', 1200]]);
  });

  it("diagnose's slowest statements separate their calls' thousands and keep a sub-millisecond mean", () => {
    const table = slowQueriesTable(
      [
        { query: 'SELECT claim', calls: 48_213, mean_ms: 1234.5, total_ms: 59_518_948.5 },
        { query: 'SELECT status', calls: 7, mean_ms: 0.42, total_ms: 2.94 },
      ],
      {},
    );
    assert.match(table, /^\s*1234\.50\s+48,213\s+SELECT claim$/m);
    assert.match(table, /^\s*0\.42\s+7\s+SELECT status$/m);
  });
});
