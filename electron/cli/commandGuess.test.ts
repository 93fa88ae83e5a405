import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALIASES } from './aliases.ts';
import { guessCommand } from './commandGuess.ts';
import { COMMAND_NAMES, READING_COMMANDS } from './commands/index.ts';
import { opsdeck } from './testing/opsdeck.ts';

const READING_ALIASES = Object.entries(ALIASES).filter(([, a]) => READING_COMMANDS.includes(a.to[0] ?? '')).map(([word]) => word);
const guess = (word: string) => guessCommand(word, READING_COMMANDS, READING_ALIASES);

describe('"did you mean" for a mistyped command', { concurrency: 2 }, () => {
  it('never offers a command that changes the store or the fleet: those are reached by name or alias only', () => {
    for (const acts of ['emergency-stop', 'resume', 'fail', 'retry', 'cancel', 'enqueue', 'safe-mode', 'pause', 'unpause', 'prune', 'migrate', 'worker', 'serve', 'api', 'demo']) {
      assert.ok(COMMAND_NAMES.includes(acts), acts);
      assert.ok(!READING_COMMANDS.includes(acts), `${acts} is no candidate for a guess`);
    }
    // The runbooks' aliases of acting commands are no candidates either: process-jobs runs a worker.
    assert.ok(!READING_ALIASES.includes('process-jobs'));
    assert.ok(!READING_ALIASES.includes('migrate-schema'));
  });

  it('guesses a slip of the keys in a word long enough to tell, or the whole part of a name between hyphens', () => {
    assert.equal(guess('statu'), 'status');
    assert.equal(guess('statuss'), 'status');
    assert.equal(guess('jbos'), 'jobs', 'two letters swapped are one slip');
    assert.equal(guess('heartbeat'), 'heartbeats');
    assert.equal(guess('Status'), 'status');
    assert.equal(guess('health'), 'health-check');
    assert.equal(guess('connectivity'), 'test-connectivity');
    // Too short to tell from the others, or only beginning with a command's name.
    for (const word of ['ps', 'df', 'top', 'wrk', 'worker-budgets', 'api-cost', 'list', 'queue']) assert.equal(guess(word), null, word);
    // Four letters hold one slip, not two; a fuzzy guess at an acting command was how tail became fail.
    assert.equal(guessCommand('tale', ['tail']), null);
    assert.equal(guessCommand('tail', ['fail']), 'fail', 'which is why acting commands are never offered');
  });

  it("the operator's runbook words: no guess of an acting command, and the read-only command that shows it instead", async () => {
    const says: Array<[string, RegExp]> = [
      ['top', /opsdeck workers shows each worker .*; opsdeck jobs --status running lists the jobs running now/],
      ['ps', /opsdeck workers shows each worker .*; opsdeck jobs --status running/],
      ['tail', /opsdeck logs -f follows the desktop app's log .*; opsdeck errors groups the recent failures/],
      ['watchdog', /opsdeck workers shows each worker's heartbeat, opsdeck health-check worker:NAME checks/],
      ['restart', /a worker is a process you run, opsdeck worker --registry FILE/],
      ['start', /a worker is a process you run, opsdeck worker --registry FILE/],
      ['permissions', /opsdeck services NAME shows a service's runner settings: its command, allowed_commands/],
      ['worker-budgets', /opsdeck rate-limit list shows each service's rate limit and max_concurrent/],
      ['api-cost', /opsdeck keeps no cost figures/],
      ['df', /opsdeck diagnose shows the store's size/],
    ];
    for (const [word, named] of says) {
      const run = await opsdeck([word]);
      assert.equal(run.code, 2, word);
      assert.match(run.stderr, new RegExp(`^opsdeck: there is no "${word}" command here: `), word);
      assert.match(run.stderr, named, word);
      assert.doesNotMatch(run.stderr, /did you mean/, word);
    }
    for (const word of ['emergncy', 'stp', 'faill', 'resum', 'tial']) {
      const run = await opsdeck([word]);
      assert.equal(run.code, 2, word);
      assert.equal(run.stderr.trim(), `opsdeck: unknown command "${word}"; run opsdeck --help for the list`, word);
    }
    const typo = await opsdeck(['wokers']);
    assert.match(typo.stderr, /did you mean "workers"\?/);
  });

  it('breaker guesses only its lists from a mistyped subcommand', async () => {
    const reset = await opsdeck(['breaker', 'resett', 'api']);
    assert.equal(reset.code, 2);
    assert.doesNotMatch(reset.stderr, /did you mean/);
    assert.match((await opsdeck(['breaker', 'lsit'])).stderr, /\(did you mean list\?\)/);
  });
});
