import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { ok, opsdeck } from './testing/opsdeck.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-times-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("a job's error keeps a time that is no real moment as written, and writes a real one in the operator's zone", async () => {
  const registry = join(dir, 'registry.yaml');
  await writeFile(registry, ['services:', '  - name: vendor', '    execution_type: noop', ''].join('\n'));
  const common = ['--db', join(dir, 'times.db'), '--registry', registry];
  ok(await opsdeck(['migrate', '--db', join(dir, 'times.db')]));
  const message = 'window 2026-02-30T10:00:00Z refused at 2026-12-06T18:00:00.120Z, again at 2026-12-06T18:00:00.900Z';
  const payload = JSON.stringify({ fail: true, fail_retryable: false, fail_message: message });
  ok(await opsdeck(['enqueue', 'vendor', '--identifier', 'v-1', '--payload', payload, ...common]));
  ok(await opsdeck(['worker', '--until-empty', ...common]));
  const trace = ok(await opsdeck(['job', 'v-1', ...common], { TZ: 'Europe/Berlin' }));
  assert.match(trace, /^error: +window 2026-02-30T10:00:00Z refused at 2026-12-06 19:00:00\+01:00, again at 2026-12-06 19:00:00\+01:00$/m, trace);
});
