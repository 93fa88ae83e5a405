import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { opsdeck } from './testing/opsdeck.ts';

describe('opsdeck help', { concurrency: 2 }, () => {
  it('help NAME of no command says so, with a guess, and exits 2 as the name typed alone does', async () => {
    const typo = await opsdeck(['help', 'statu']);
    assert.equal(typo.code, 2);
    assert.equal(typo.stdout, '', 'not the full help');
    assert.equal(typo.stderr.trim(), 'opsdeck: unknown command "statu"; did you mean "status"? run opsdeck --help for the list');
    const alone = await opsdeck(['statu']);
    assert.equal(alone.stderr, typo.stderr);
    const nothing = await opsdeck(['help', 'nosuch']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /^opsdeck: unknown command "nosuch"; run opsdeck --help for the list$/m);
    const runbook = await opsdeck(['--help', 'get-dlq-items']);
    assert.equal(runbook.code, 2);
    assert.match(runbook.stderr, /^opsdeck: there is no "get-dlq-items" command here: opsdeck dlq list/);
  });

  it("help NAME of a command or a runbook's alias prints that command's help", async () => {
    const status = await opsdeck(['help', 'status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^usage: opsdeck status/);
    const alias = await opsdeck(['help', 'process-jobs']);
    assert.equal(alias.code, 0, alias.stderr);
    assert.match(alias.stdout, /^usage: opsdeck worker/);
  });

  it('the exit codes named in the help include 3, which alerts uses', async () => {
    const help = await opsdeck(['--help']);
    assert.match(help.stdout, /^Exit codes: 0 ok, .*2 wrong usage, 3 nothing to tell by \(alerts: no process evaluates the rules\)\.$/m);
  });

  it('alerts --help says list shows the rules kept in the store too', async () => {
    const help = await opsdeck(['alerts', '--help']);
    assert.match(help.stdout, /list {5}every rule, the registry's and those kept in the store, with its state/);
  });
});
