import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PerformanceByType } from '../../shared/contract.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

/** Two services of one type that a real worker ran: one always completes, the other always fails. */
describe('opsdeck performance --service and --by service', () => {
  let dir: string;
  let common: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-performance-service-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(
      registry,
      [
        'services:',
        '  - name: billing',
        '    execution_type: noop',
        '  - name: search',
        '    execution_type: noop',
        '    retry_config: { max_retries: 0 }',
        '    runner_config: { fail: true, fail_message: "upstream answered 503" }',
        '',
      ].join('\n'),
    );
    common = ['--db', join(dir, 'o.db'), '--registry', registry];
    ok(await opsdeck(['migrate', ...common]));
    for (const service of ['billing', 'billing', 'billing', 'search']) ok(await opsdeck(['enqueue', service, ...common]));
    ok(await opsdeck(['worker', '--until-empty', ...common]));
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('--service gives that service\'s figures alone, its own success rate, not its type\'s', async () => {
    const billing = PerformanceByType.parse(JSON.parse(ok(await opsdeck(['performance', '--service', 'billing', ...common, '--json']))));
    assert.deepEqual([billing.total.completed, billing.total.failed, billing.total.success_rate], [3, 0, 1]);
    assert.deepEqual(billing.services?.map((s) => [s.service_name, s.execution_type]), [['billing', 'noop']]);
    const search = ok(await opsdeck(['execution-performance', '--service', 'search', ...common]));
    assert.match(search, /^noop +0 +1 +0 +0\.0% +- +- +- /m, 'one row, its type\'s, of search alone');
    assert.match(search, /\njobs of search finished in the last 1h, read from /);
  });

  it('--by service: a row per service with its type, and the total', async () => {
    const text = ok(await opsdeck(['performance', '--by', 'service', ...common]));
    assert.match(text, /^SERVICE +TYPE +COMPLETED +DEAD-LETTERED +RETRIES +SUCCESS +P50 +P95 +P99 +JOBS\/MIN$/m);
    assert.match(text, /^billing +noop +3 +0 +0 +100\.0% /m);
    assert.match(text, /^search +noop +0 +1 +0 +0\.0% /m);
    assert.match(text, /^total +3 +1 +0 +75\.0% /m);
  });

  it('a service with nothing in the window says so; a bad --by or an empty --service is refused, naming the option', async () => {
    assert.match(ok(await opsdeck(['performance', '--service', 'gone', ...common])), /^no jobs of gone finished in the last 1h, read from /);
    for (const [option, value, words] of [
      ['--by', 'queue', /^opsdeck: --by takes type or service; not "queue"/],
      ['--service', ' ', /^opsdeck: --service takes a service name; not an empty one/],
    ] as const) {
      const refused = await opsdeck(['performance', option, value, ...common]);
      assert.equal(refused.code, 2, `${option} ${value}`);
      assert.match(refused.stderr, words);
    }
  });
});
