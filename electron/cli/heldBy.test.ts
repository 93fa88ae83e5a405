import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok, opsdeck } from './testing/opsdeck.ts';

/**
 * Work sent to pending while the emergency stop and safe mode hold dispatch says so, in the words
 * `dlq retry` uses, whichever command sent it: "pending again" alone reads as running again.
 */
describe('opsdeck commands that make work pending say what holds it', () => {
  let dir: string;
  let common: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-cli-held-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(
      registry,
      [
        'services:',
        '  - name: flaky',
        '    execution_type: shell',
        '    runner_config: { command: ["/bin/false"] }',
        '    security_policy: { allowed_commands: ["/bin/false"] }',
        '    retry_config: { max_retries: 0 }',
        '  - name: echo_shell',
        '    execution_type: noop',
        '    queue: mail',
        'workflows:',
        '  - name: etl2',
        '    tasks:',
        '      - { name: extract, service: echo_shell }',
        '      - { name: transform, service: flaky, depends_on: [extract] }',
        '',
      ].join('\n'),
    );
    common = ['--db', join(dir, 'cli.db'), '--registry', registry];
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('retry, workflow retry, workflow run, enqueue and schedule run-now, under the emergency stop and safe mode', async () => {
    ok(await opsdeck(['enqueue', 'flaky', '--identifier', 'f-1', ...common]));
    ok(await opsdeck(['workflow', 'run', 'etl2', '--identifier', 'run-1', ...common]));
    ok(await opsdeck(['schedule', 'add', 'mailer', '--service', 'echo_shell', '--cron', '@daily', ...common]));
    ok(await opsdeck(['worker', '--until-empty', ...common]));
    ok(await opsdeck(['emergency-stop', '--reason', 'drill', ...common]));
    ok(await opsdeck(['safe-mode', 'on', '--reason', 'deploy', ...common]));
    const stop = 'the emergency stop is engaged by \\S+: drill \\(opsdeck resume releases it\\)';
    const safe = 'safe mode is on by \\S+: deploy \\(opsdeck safe-mode off\\)';
    const held = (who: string) => new RegExp(`\\n${who} wait(s)? while ${stop}\\n${who} wait(s)? while ${safe}\\n$`);

    const retried = ok(await opsdeck(['retry', 'f-1', ...common]));
    assert.match(retried, /^job \d+ \(f-1\) is pending again\n/);
    assert.match(retried, held('it'));

    const run = ok(await opsdeck(['workflow', 'retry', 'run-1', ...common]));
    assert.match(run, /^retried 1 task\(s\) \(jobs \d+\); what they blocked runs once they complete\n/);
    assert.match(run, held('it'));

    assert.match(ok(await opsdeck(['workflow', 'run', 'etl2', ...common])), held('they'));
    assert.match(ok(await opsdeck(['enqueue', 'echo_shell', ...common])), /^enqueued job \d+ \(\S+\)\nit waits while /);
    assert.match(ok(await opsdeck(['schedule', 'run-now', 'mailer', ...common])), held('it'));

    ok(await opsdeck(['resume', ...common]));
    ok(await opsdeck(['safe-mode', 'off', ...common]));
    assert.match(ok(await opsdeck(['enqueue', 'echo_shell', ...common])), /^enqueued job \d+ \(\S+\)\n$/, 'released, nothing more is said');
  });
});
